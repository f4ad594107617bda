import CVulkan

/// The kind of a Vulkan physical device (`VkPhysicalDeviceType`, named once).
public enum VulkanDeviceType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case discrete, integrated, virtual, cpu, other

    init(_ type: VkPhysicalDeviceType) {
        switch type {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: self = .discrete
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: self = .integrated
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: self = .virtual
        case VK_PHYSICAL_DEVICE_TYPE_CPU: self = .cpu
        default: self = .other
        }
    }

    /// Preference order for `.preferred` selection (lower is better).
    var rank: Int {
        switch self {
        case .discrete: 0
        case .integrated: 1
        case .virtual: 2
        case .cpu: 3
        case .other: 4
        }
    }

    public var description: String { rawValue }
}

/// `VkDriverId` (VkPhysicalDeviceDriverProperties.driverID) with names for the common drivers.
public struct VulkanDriverID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ id: VkDriverId) { rawValue = UInt32(bitPattern: Int32(truncatingIfNeeded: id.rawValue)) }

    /// Mesa lavapipe (llvmpipe): Vulkan on the CPU.
    public static let mesaLLVMPipe = VulkanDriverID(VK_DRIVER_ID_MESA_LLVMPIPE)
    public static let mesaRADV = VulkanDriverID(VK_DRIVER_ID_MESA_RADV)
    public static let intelMesa = VulkanDriverID(VK_DRIVER_ID_INTEL_OPEN_SOURCE_MESA)
    public static let nvidiaProprietary = VulkanDriverID(VK_DRIVER_ID_NVIDIA_PROPRIETARY)
    public static let amdProprietary = VulkanDriverID(VK_DRIVER_ID_AMD_PROPRIETARY)
    public static let moltenVK = VulkanDriverID(VK_DRIVER_ID_MOLTENVK)
    /// 0: the device does not report VkPhysicalDeviceDriverProperties.
    public static let unknown = VulkanDriverID(rawValue: 0)

    public var description: String {
        switch self {
        case .mesaLLVMPipe: "VK_DRIVER_ID_MESA_LLVMPIPE"
        case .mesaRADV: "VK_DRIVER_ID_MESA_RADV"
        case .intelMesa: "VK_DRIVER_ID_INTEL_OPEN_SOURCE_MESA"
        case .nvidiaProprietary: "VK_DRIVER_ID_NVIDIA_PROPRIETARY"
        case .amdProprietary: "VK_DRIVER_ID_AMD_PROPRIETARY"
        case .moltenVK: "VK_DRIVER_ID_MOLTENVK"
        case .unknown: "unknown"
        default: "VkDriverId(\(rawValue))"
        }
    }
}
