import OpenCLRuntime
import VulkanRuntime

/// One OpenCL or Vulkan device as the backend selector sees it: enough to rank it and to say
/// why it was skipped, independent of the driver structures (so the decision is testable).
public struct DeviceCandidate: Sendable, Hashable, CustomStringConvertible {
    public enum API: String, Sendable, Hashable {
        case vulkan, opencl

        /// For devices of the same kind: Vulkan first (no OpenCL C compiler in the loop).
        var rank: Int { self == .vulkan ? 0 : 1 }
    }

    /// What the device is, for ranking: GPUs first; CPU implementations (PoCL, lavapipe) are
    /// skipped by `auto` because the interpreter is faster on the same cores.
    public enum Kind: String, Sendable, Hashable {
        case discreteGPU = "discrete GPU"
        case integratedGPU = "integrated GPU"
        case otherGPU = "GPU"
        case accelerator
        case cpuImplementation = "CPU implementation"
        case other = "other device"

        var rank: Int {
            switch self {
            case .discreteGPU: 0
            case .integratedGPU: 1
            case .otherGPU: 2
            case .accelerator: 3
            case .cpuImplementation: 4
            case .other: 5
            }
        }
    }

    public let api: API
    /// The index `opencl:N` / `vulkan:N` selects.
    public let index: Int
    public let name: String
    public let kind: Kind
    /// Why the device cannot run kernels at all (no compute queue, not available, no compiler).
    public let unusableReason: String?

    public init(api: API, index: Int, name: String, kind: Kind, unusableReason: String? = nil) {
        self.api = api
        self.index = index
        self.name = name
        self.kind = kind
        self.unusableReason = unusableReason
    }

    init(_ device: VulkanDeviceInfo) {
        let kind: Kind = switch device.type {
        case _ where device.isLavapipe: .cpuImplementation
        case .discrete: .discreteGPU
        case .integrated: .integratedGPU
        case .virtual: .otherGPU
        case .cpu: .cpuImplementation
        case .other: .other
        }
        self.init(
            api: .vulkan, index: device.index, name: device.name, kind: kind,
            unusableReason: device.computeQueueFamily == nil ? "no queue family with compute" : nil)
    }

    init(_ device: OpenCLDeviceInfo) {
        let kind: Kind = switch device.type {
        case .gpu: .otherGPU
        case .accelerator: .accelerator
        case .cpu: .cpuImplementation
        case .custom, .other: .other
        }
        let reason: String? =
            !device.available ? "the driver reports it unavailable"
            : !device.compilerAvailable ? "it has no OpenCL C compiler" : nil
        self.init(api: .opencl, index: device.index, name: "\(device.name) (\(device.platformName))", kind: kind, unusableReason: reason)
    }

    /// `vulkan:0 NVIDIA H200 (discrete GPU)`.
    public var description: String { "\(api.rawValue):\(index) \(name) (\(kind.rawValue))" }
}
