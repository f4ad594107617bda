import RuntimeSupport
import Foundation
import CVulkan

/// Entry point to the Vulkan devices of this machine. Discovery (instance creation and the
/// physical-device queries) runs exactly once per process, under a lock; its result — a failure
/// included — is remembered, as it will not change while the process runs.
public enum VulkanDevices {
    private static let discovery = Locked<Result<[VulkanDeviceInfo], VulkanError>?>(nil)

    /// Every physical device, numbered in the loader's order; throws when there is none.
    public static func all() throws(VulkanError) -> [VulkanDeviceInfo] {
        let result = discovery.withLock { state in
            if let state { return state }
            let fresh = Result { () throws(VulkanError) in try discover() }
            state = fresh
            return fresh
        }
        return try result.get()
    }

    /// The first device matching `query`; the error lists every device when none matches.
    public static func select(_ query: VulkanDeviceQuery = .preferred) throws(VulkanError) -> VulkanDeviceInfo {
        let devices = try all()
        if let match = query.pick(from: devices) { return match }
        throw .deviceNotFound(query: query.description, available: devices.map(\.description))
    }

    /// The lavapipe device, if this machine has one (tests and loop-cap checks).
    public static func lavapipe() -> VulkanDeviceInfo? {
        (try? all())?.first(where: \.isLavapipe)
    }

    private static func discover() throws(VulkanError) -> [VulkanDeviceInfo] {
        let instance = try VulkanInstance.get()
        let handles = try instance.physicalDevices()
        guard !handles.isEmpty else {
            throw .noDevice(reason: "vkEnumeratePhysicalDevices reports none; \(VulkanInstance.icdSummary()).")
        }
        var devices: [VulkanDeviceInfo] = []
        for (index, handle) in handles.enumerated() {
            devices.append(try VulkanDeviceInfo(index: index, physicalDevice: handle, instance: instance.handle))
        }
        return devices
    }
}

/// How a caller names the Vulkan device it wants (e.g. from `attngen --device`).
public enum VulkanDeviceQuery: Sendable, Hashable, CustomStringConvertible {
    /// Discrete, else integrated, else virtual, else CPU (lavapipe), else anything.
    case preferred
    /// Position in `VulkanDevices.all()`.
    case index(Int)
    /// Case-insensitive substring of the device name (or of the driver name).
    case name(String)
    case type(VulkanDeviceType)

    /// "2" → index, "cpu"/"discrete"/"integrated"/"virtual" → type, "" / "default" → preferred, else a name.
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.lowercased() == "default" { self = .preferred }
        else if let index = Int(trimmed) { self = .index(index) }
        else if let type = VulkanDeviceType(rawValue: trimmed.lowercased()) { self = .type(type) }
        else { self = .name(trimmed) }
    }

    func pick(from devices: [VulkanDeviceInfo]) -> VulkanDeviceInfo? {
        let usable = devices.filter { $0.computeQueueFamily != nil }
        switch self {
        case .preferred:
            return usable.min { ($0.type.rank, $0.index) < ($1.type.rank, $1.index) }
        case .index(let index):
            return devices.first { $0.index == index }
        case .name(let text):
            let needle = text.lowercased()
            return devices.first { $0.name.lowercased().contains(needle) }
                ?? devices.first { $0.driverName.lowercased().contains(needle) }
        case .type(let type):
            return usable.first { $0.type == type }
        }
    }

    public var description: String {
        switch self {
        case .preferred: "the preferred device (discrete, else integrated, else virtual, else CPU)"
        case .index(let index): "index \(index)"
        case .name(let text): "name containing '\(text)'"
        case .type(let type): "type \(type)"
        }
    }
}
