import OpenCLRuntime
import VulkanRuntime

/// One OpenCL or Vulkan device as the backend selector sees it: enough to rank it and to say
/// why it was skipped, independent of the driver structures (so the decision is testable).
public struct DeviceCandidate: Sendable, Hashable, CustomStringConvertible {
    public enum API: String, Sendable, Hashable {
        case vulkan, opencl
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
    /// The device's own name (e.g. `NVIDIA H200`), the same through both APIs.
    public let name: String
    /// The OpenCL platform, shown after the name.
    public let platform: String?
    public let kind: Kind
    /// Why the device cannot run kernels at all (no compute queue, not available, no compiler).
    public let unusableReason: String?
    /// An NVIDIA GPU (PCI vendor 0x10DE, or "NVIDIA" in the OpenCL vendor string).
    public let isNVIDIA: Bool

    public init(
        api: API, index: Int, name: String, platform: String? = nil, kind: Kind, unusableReason: String? = nil, isNVIDIA: Bool = false
    ) {
        self.api = api
        self.index = index
        self.name = name
        self.platform = platform
        self.kind = kind
        self.unusableReason = unusableReason
        self.isNVIDIA = isNVIDIA
    }

    /// Among devices of the same kind, which API goes first. Measured on an H200 (README):
    /// NVIDIA's OpenCL runs the generated kernels 2.5–4× faster than its Vulkan driver runs the
    /// shaders, so NVIDIA GPUs try OpenCL first (a spec OpenCL cannot fit goes on to Vulkan);
    /// elsewhere Vulkan goes first (no OpenCL C compiler in the loop, no measurement saying otherwise).
    var apiRank: Int {
        switch api {
        case .opencl: isNVIDIA ? 0 : 1
        case .vulkan: isNVIDIA ? 1 : 0
        }
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
            unusableReason: device.computeQueueFamily == nil ? "no queue family with compute" : nil, isNVIDIA: device.vendorID == 0x10DE)
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
        self.init(
            api: .opencl, index: device.index, name: device.name, platform: device.platformName, kind: kind, unusableReason: reason,
            isNVIDIA: device.vendor.lowercased().contains("nvidia"))
    }

    /// `vulkan:0 NVIDIA H200 (discrete GPU)`.
    public var description: String { "\(api.rawValue):\(index) \(name)\(platform.map { " (\($0))" } ?? "") (\(kind.rawValue))" }

    /// The same candidate with another kind (an OpenCL GPU takes the kind Vulkan reports for it).
    func with(kind: Kind) -> DeviceCandidate {
        DeviceCandidate(api: api, index: index, name: name, platform: platform, kind: kind, unusableReason: unusableReason, isNVIDIA: isNVIDIA)
    }
}
