import CVulkan

/// A `VkResult` with its C name ("VK_ERROR_OUT_OF_DEVICE_MEMORY"): every error message names it.
public struct VulkanResult: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ result: VkResult) { rawValue = result.rawValue }

    public static let success = VulkanResult(VK_SUCCESS)
    public static let timeout = VulkanResult(VK_TIMEOUT)
    public static let outOfHostMemory = VulkanResult(VK_ERROR_OUT_OF_HOST_MEMORY)
    public static let outOfDeviceMemory = VulkanResult(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    public static let initializationFailed = VulkanResult(VK_ERROR_INITIALIZATION_FAILED)
    public static let deviceLost = VulkanResult(VK_ERROR_DEVICE_LOST)
    public static let incompatibleDriver = VulkanResult(VK_ERROR_INCOMPATIBLE_DRIVER)
    public static let featureNotPresent = VulkanResult(VK_ERROR_FEATURE_NOT_PRESENT)
    public static let extensionNotPresent = VulkanResult(VK_ERROR_EXTENSION_NOT_PRESENT)

    /// The C enumerator name, or "VkResult(<n>)" for a value this table does not know.
    public var name: String { Self.names[rawValue] ?? "VkResult(\(rawValue))" }

    public var isError: Bool { rawValue < 0 }

    public var description: String { name }

    private static let names: [Int32: String] = {
        let pairs: [(VkResult, String)] = [
            (VK_SUCCESS, "VK_SUCCESS"), (VK_NOT_READY, "VK_NOT_READY"), (VK_TIMEOUT, "VK_TIMEOUT"),
            (VK_EVENT_SET, "VK_EVENT_SET"), (VK_EVENT_RESET, "VK_EVENT_RESET"), (VK_INCOMPLETE, "VK_INCOMPLETE"),
            (VK_ERROR_OUT_OF_HOST_MEMORY, "VK_ERROR_OUT_OF_HOST_MEMORY"),
            (VK_ERROR_OUT_OF_DEVICE_MEMORY, "VK_ERROR_OUT_OF_DEVICE_MEMORY"),
            (VK_ERROR_INITIALIZATION_FAILED, "VK_ERROR_INITIALIZATION_FAILED"),
            (VK_ERROR_DEVICE_LOST, "VK_ERROR_DEVICE_LOST"), (VK_ERROR_MEMORY_MAP_FAILED, "VK_ERROR_MEMORY_MAP_FAILED"),
            (VK_ERROR_LAYER_NOT_PRESENT, "VK_ERROR_LAYER_NOT_PRESENT"),
            (VK_ERROR_EXTENSION_NOT_PRESENT, "VK_ERROR_EXTENSION_NOT_PRESENT"),
            (VK_ERROR_FEATURE_NOT_PRESENT, "VK_ERROR_FEATURE_NOT_PRESENT"),
            (VK_ERROR_INCOMPATIBLE_DRIVER, "VK_ERROR_INCOMPATIBLE_DRIVER"),
            (VK_ERROR_TOO_MANY_OBJECTS, "VK_ERROR_TOO_MANY_OBJECTS"),
            (VK_ERROR_FORMAT_NOT_SUPPORTED, "VK_ERROR_FORMAT_NOT_SUPPORTED"),
            (VK_ERROR_FRAGMENTED_POOL, "VK_ERROR_FRAGMENTED_POOL"), (VK_ERROR_UNKNOWN, "VK_ERROR_UNKNOWN"),
            (VK_ERROR_OUT_OF_POOL_MEMORY, "VK_ERROR_OUT_OF_POOL_MEMORY"),
            (VK_ERROR_INVALID_EXTERNAL_HANDLE, "VK_ERROR_INVALID_EXTERNAL_HANDLE"),
            (VK_ERROR_FRAGMENTATION, "VK_ERROR_FRAGMENTATION"),
            (VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS, "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS"),
            (VK_PIPELINE_COMPILE_REQUIRED, "VK_PIPELINE_COMPILE_REQUIRED"),
            (VK_ERROR_INVALID_SHADER_NV, "VK_ERROR_INVALID_SHADER_NV"),
        ]
        return Dictionary(pairs.map { ($0.0.rawValue, $0.1) }, uniquingKeysWith: { first, _ in first })
    }()
}
