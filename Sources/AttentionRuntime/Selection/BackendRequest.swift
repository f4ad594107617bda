/// Which backend a caller asks for. `auto` picks one (see `BackendSelector`); the others force
/// that backend, and forcing one that cannot open is an error, never a silent switch.
public enum BackendRequest: Sendable, Hashable, CustomStringConvertible {
    case auto
    /// The SIMD CPU interpreter.
    case cpu
    /// The float64 reference (slow; for checking).
    case reference
    /// OpenCL on the device the query names (`nil`: a GPU, else an accelerator, else any device).
    case opencl(device: String?)
    /// Vulkan on the device the query names (`nil`: discrete, else integrated, else any device).
    case vulkan(device: String?)

    /// The environment variable that forces a backend when the caller asked for `auto`.
    public static let environmentVariable = "ATTNGEN_BACKEND"

    /// The backend names a request may start with.
    public static let names = ["auto", "cpu", "reference", "opencl", "vulkan"]

    /// Parses `auto`, `cpu`, `reference`, `opencl`, `vulkan`, or `opencl:DEVICE` / `vulkan:DEVICE`
    /// where DEVICE is an index, a type (`gpu`, `cpu`, `discrete`, …) or part of the device name.
    public init(parsing text: String) throws(AttentionError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = (parts.first ?? "").lowercased()
        let device = parts.count > 1 ? parts[1].trimmingWhitespace() : nil
        if let device, device.isEmpty || !["opencl", "vulkan"].contains(name) {
            throw .unknownBackend(name: trimmed, known: Self.names + ["opencl:DEVICE", "vulkan:DEVICE"])
        }
        switch name {
        case "auto": self = .auto
        case "cpu": self = .cpu
        case "reference": self = .reference
        case "opencl": self = .opencl(device: device)
        case "vulkan": self = .vulkan(device: device)
        default: throw .unknownBackend(name: trimmed, known: Self.names + ["opencl:DEVICE", "vulkan:DEVICE"])
        }
    }

    /// The request `ATTNGEN_BACKEND` makes in `environment`; nil when it is unset or empty.
    /// A value that does not parse is an error naming the variable.
    public static func fromEnvironment(_ environment: [String: String]) throws(AttentionError) -> BackendRequest? {
        guard let value = environment[environmentVariable], !value.trimmingWhitespace().isEmpty else { return nil }
        do {
            return try BackendRequest(parsing: value)
        } catch {
            throw .invalidBackendSetting(variable: environmentVariable, value: value, reason: error.description)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .cpu: "cpu"
        case .reference: "reference"
        case .opencl(let device): device.map { "opencl:\($0)" } ?? "opencl"
        case .vulkan(let device): device.map { "vulkan:\($0)" } ?? "vulkan"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
