/// How a caller names the device it wants (e.g. from `attngen --device`).
public enum DeviceQuery: Sendable, Hashable, CustomStringConvertible {
    /// The first GPU, else the first accelerator, else the first device.
    case preferred
    /// Position in `OpenCLDevices.all()`.
    case index(Int)
    /// Case-insensitive substring of the device name (or of its platform name).
    case name(String)
    case type(DeviceType)

    /// "2" → index, "cpu"/"gpu"/"accelerator" → type, "" / "default" → preferred, else a name.
    public init(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty || trimmed.lowercased() == "default" { self = .preferred }
        else if let index = Int(trimmed) { self = .index(index) }
        else if let type = DeviceType(rawValue: trimmed.lowercased()) { self = .type(type) }
        else { self = .name(trimmed) }
    }

    func pick(from devices: [OpenCLDeviceInfo]) -> OpenCLDeviceInfo? {
        switch self {
        case .preferred:
            return devices.first { $0.type == .gpu } ?? devices.first { $0.type == .accelerator } ?? devices.first
        case .index(let index):
            return devices.first { $0.index == index }
        case .name(let text):
            let needle = text.lowercased()
            return devices.first { $0.name.lowercased().contains(needle) }
                ?? devices.first { $0.platformName.lowercased().contains(needle) }
        case .type(let type):
            return devices.first { $0.type == type }
        }
    }

    public var description: String {
        switch self {
        case .preferred: "the preferred device (GPU, else accelerator, else any)"
        case .index(let index): "index \(index)"
        case .name(let text): "name containing '\(text)'"
        case .type(let type): "type \(type)"
        }
    }
}
