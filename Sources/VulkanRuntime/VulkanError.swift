import RuntimeSupport
/// Every failure of the Vulkan layer. Each case names the `VkResult` (by its C name) where there
/// is one, and what was being done, so a message is actionable on its own.
public enum VulkanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No usable Vulkan loader/driver: vkCreateInstance failed (typically no ICD json registered).
    case noLoader(reason: String)
    /// The instance works but exposes no (usable) physical device.
    case noDevice(reason: String)
    /// `VulkanDevices.select` matched nothing; `available` lists what exists.
    case deviceNotFound(query: String, available: [String])
    /// Any other failed call: its name, result and what it was doing.
    case call(name: String, result: VulkanResult, context: String)
    /// VK_ERROR_OUT_OF_DEVICE_MEMORY (or a request over the heap / maxMemoryAllocationSize).
    case outOfDeviceMemory(bytes: Int, device: String)
    /// VK_ERROR_DEVICE_LOST: the device must be recreated.
    case deviceLost(context: String)
    /// A fence wait ran past the context's timeout (VK_TIMEOUT).
    case timeout(seconds: Double, context: String)
    /// No memory type with the required property flags for a buffer.
    case noSuitableMemoryType(required: String, device: String)
    /// A storage buffer larger than maxStorageBufferRange.
    case bufferTooLarge(bytes: Int, maximum: Int, device: String)
    /// The shader's local size exceeds maxComputeWorkGroupSize per axis or maxComputeWorkGroupInvocations.
    case invalidWorkGroupSize(requested: [Int], maximum: [Int], maximumInvocations: Int, device: String)
    /// A dispatch's group count is zero or exceeds maxComputeWorkGroupCount on an axis.
    case invalidGroupCount(requested: [Int], maximum: [Int], device: String)
    /// The shader's `shared` variables need more than maxComputeSharedMemorySize.
    case sharedMemoryTooSmall(needed: Int, available: Int, device: String)
    /// Push constants larger than maxPushConstantsSize (or not a multiple of 4).
    case invalidPushConstants(bytes: Int, maximum: Int, reason: String)
    /// More storage buffers than maxPerStageDescriptorStorageBuffers.
    case tooManyStorageBuffers(count: Int, maximum: Int, device: String)
    /// The words are not a SPIR-V module this runtime can read.
    case invalidSPIRV(reason: String)
    /// No GLCompute entry point of that name; `available` lists the module's compute entry points.
    case entryPointNotFound(name: String, available: [String])
    /// vkCreateShaderModule / vkCreateComputePipelines failed. Vulkan has no compiler log; `log`
    /// says what was asked (entry point, local size, specialization) and the driver's result.
    case pipelineCreationFailed(result: VulkanResult, log: String)
    /// A dispatch that does not match its pipeline (buffer count, push-constant size, foreign objects).
    case invalidDispatch(reason: String)

    /// The VkResult this error stands for, where there is one.
    public var result: VulkanResult? {
        switch self {
        case .call(_, let result, _), .pipelineCreationFailed(let result, _): result
        case .outOfDeviceMemory: .outOfDeviceMemory
        case .deviceLost: .deviceLost
        case .timeout: .timeout
        case .noLoader: .incompatibleDriver
        default: nil
        }
    }

    public var description: String {
        switch self {
        case let .noLoader(reason):
            return "No Vulkan driver could be loaded: \(reason)"
        case let .noDevice(reason):
            return "No Vulkan device: \(reason)"
        case let .deviceNotFound(query, available):
            let list = available.isEmpty ? "none" : available.joined(separator: "; ")
            return "No Vulkan device matches \(query). Available: \(list)."
        case let .call(name, result, context):
            return "\(name) failed with \(result.name) (\(result.rawValue)): \(context)."
        case let .outOfDeviceMemory(bytes, device):
            return "Out of device memory (VK_ERROR_OUT_OF_DEVICE_MEMORY) allocating \(bytes) bytes "
                + "(\(ByteCount.format(bytes))) on \(device)."
        case let .deviceLost(context):
            return "The Vulkan device was lost (VK_ERROR_DEVICE_LOST) during \(context); recreate the context."
        case let .timeout(seconds, context):
            return "Waiting for the GPU timed out after \(seconds) s (VK_TIMEOUT): \(context)."
        case let .noSuitableMemoryType(required, device):
            return "No memory type on \(device) has the properties \(required)."
        case let .bufferTooLarge(bytes, maximum, device):
            return "Storage buffer of \(bytes) bytes (\(ByteCount.format(bytes))) exceeds \(device)'s "
                + "maxStorageBufferRange of \(maximum) bytes (\(ByteCount.format(maximum)))."
        case let .invalidWorkGroupSize(requested, maximum, maximumInvocations, device):
            return "Local size \(Self.dims(requested)) = \(requested.reduce(1, *)) invocations exceeds \(device)'s "
                + "limits: maxComputeWorkGroupSize \(Self.dims(maximum)), maxComputeWorkGroupInvocations \(maximumInvocations)."
        case let .invalidGroupCount(requested, maximum, device):
            return "Group count \(Self.dims(requested)) is outside \(device)'s limits: each axis must be 1..."
                + "maxComputeWorkGroupCount \(Self.dims(maximum))."
        case let .sharedMemoryTooSmall(needed, available, device):
            return "The shader needs \(needed) bytes of shared memory but \(device) has \(available) "
                + "(maxComputeSharedMemorySize); use a smaller tile."
        case let .invalidPushConstants(bytes, maximum, reason):
            return "Invalid push constants of \(bytes) bytes (maxPushConstantsSize \(maximum)): \(reason)."
        case let .tooManyStorageBuffers(count, maximum, device):
            return "\(count) storage buffers exceed \(device)'s maxPerStageDescriptorStorageBuffers of \(maximum)."
        case let .invalidSPIRV(reason):
            return "Invalid SPIR-V module: \(reason)."
        case let .entryPointNotFound(name, available):
            return "No compute entry point '\(name)' in the SPIR-V module. Entry points: "
                + (available.isEmpty ? "none" : available.joined(separator: ", ")) + "."
        case let .pipelineCreationFailed(result, log):
            return "Compute pipeline creation failed with \(result.name): \(log)"
        case let .invalidDispatch(reason):
            return "Invalid dispatch: \(reason)."
        }
    }

    static func dims(_ sizes: [Int]) -> String {
        "[" + sizes.map(String.init).joined(separator: ", ") + "]"
    }
}
