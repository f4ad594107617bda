import CVulkan

/// What one physical device offers: identity, driver, compute limits and the features the GLSL
/// emitter cares about. Plain values (Sendable); the physical-device handle stays valid for the
/// process because the instance is never destroyed.
public struct VulkanDeviceInfo: Sendable, Hashable, CustomStringConvertible {
    /// Position in `VulkanDevices.all()`.
    public let index: Int
    public let name: String
    public let type: VulkanDeviceType
    public let vendorID: UInt32
    public let deviceID: UInt32
    /// VkPhysicalDeviceDriverProperties (Vulkan 1.2 / VK_KHR_driver_properties); `.unknown` and ""
    /// where the device does not report them.
    public let driverID: VulkanDriverID
    public let driverName: String
    public let driverInfo: String
    /// Raw `driverVersion` (its encoding is vendor-specific).
    public let driverVersion: UInt32
    public let apiVersion: VulkanVersion
    public let pipelineCacheUUID: [UInt8]

    public let maxComputeSharedMemorySize: Int
    public let maxComputeWorkGroupSize: [Int]
    public let maxComputeWorkGroupCount: [Int]
    public let maxComputeWorkGroupInvocations: Int
    public let maxPushConstantsSize: Int
    public let maxStorageBufferRange: Int
    public let maxPerStageDescriptorStorageBuffers: Int
    /// VkPhysicalDeviceMaintenance3Properties.maxMemoryAllocationSize.
    public let maxMemoryAllocationSize: Int
    /// Sum of the device-local heaps (all heaps when none is device-local).
    public let deviceMemorySize: Int

    /// VkPhysicalDeviceSubgroupProperties (Vulkan 1.1).
    public let subgroupSize: Int
    public let subgroupInComputeStage: Bool
    /// Names of the supported subgroup operation classes ("basic", "arithmetic", "shuffle", ...).
    public let subgroupOperations: [String]

    /// The subgroup size when compute shaders may shuffle within subgroups, else nil.
    public var shuffleSubgroupSize: Int? {
        subgroupInComputeStage && subgroupOperations.contains("shuffle") && subgroupSize > 0 ? subgroupSize : nil
    }

    public let supportsShaderFloat16: Bool
    public let supportsShaderInt8: Bool
    public let supportsShaderInt16: Bool
    public let supportsShaderInt64: Bool
    public let supportsShaderFloat64: Bool
    public let supportsStorageBuffer16BitAccess: Bool
    public let supportsStorageBuffer8BitAccess: Bool
    /// "VK_KHR_cooperative_matrix" or "VK_NV_cooperative_matrix" when the device has one (KHR
    /// where it has both).
    public let cooperativeMatrixExtension: String?
    /// That extension's `cooperativeMatrix` feature (enabled on the logical device when set).
    public let supportsCooperativeMatrix: Bool
    /// Whether compute shaders may use cooperative matrices (cooperativeMatrixSupportedStages).
    public let cooperativeMatrixInComputeStage: Bool
    /// The multiply-add shapes the extension lists; empty without one.
    public let cooperativeMatrixShapes: [VulkanCooperativeMatrixShape]
    /// VkPhysicalDeviceVulkanMemoryModelFeatures (1.2 / KHR): glslang's cooperative-matrix SPIR-V
    /// declares the VulkanMemoryModel capability, so the logical device enables it with them.
    public let supportsVulkanMemoryModel: Bool
    public let supportsVulkanMemoryModelDeviceScope: Bool
    public let extensions: [String]

    /// Nanoseconds per timestamp tick, and how many bits the compute queue's timestamps carry
    /// (0: no timestamps, device times are then unavailable).
    public let timestampPeriod: Double
    public let timestampValidBits: Int
    /// The queue family used for compute (nil: the device has no compute queue; not usable).
    public let computeQueueFamily: Int?

    let physicalDeviceBits: UInt

    var physicalDevice: VkPhysicalDevice { VkPhysicalDevice(bitPattern: physicalDeviceBits)! }

    var cooperativeMatrixAPI: VulkanCooperativeMatrixShape.API? {
        [.khr, .nv].first { $0.extensionName == cooperativeMatrixExtension }
    }

    /// Cooperative-matrix compute shaders can run: extension, feature, compute stage, shapes.
    public var hasCooperativeMatrix: Bool {
        cooperativeMatrixExtension != nil && supportsCooperativeMatrix && cooperativeMatrixInComputeStage
            && !cooperativeMatrixShapes.isEmpty
    }

    /// Mesa lavapipe (llvmpipe), the CPU implementation. Known limit: it silently ends a shader
    /// invocation after 65,535 loop iterations in total (see `loopIterationLimit`).
    public var isLavapipe: Bool {
        driverID == .mesaLLVMPipe || (driverID == .unknown && name.lowercased().contains("llvmpipe"))
    }

    /// The most loop iterations one invocation may run in total before the driver silently stops
    /// it (measured on lavapipe: 65,535); nil where no such cap is known. Emitters must refuse
    /// configurations whose per-invocation loop trip count could exceed it.
    public var loopIterationLimit: Int? { isLavapipe ? 65_535 : nil }

    /// Stable identity for cache keys: ids, driver version, pipeline-cache UUID.
    var identity: String {
        let uuid = pipelineCacheUUID.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return "\(String(vendorID, radix: 16)):\(String(deviceID, radix: 16)):\(driverVersion):\(uuid)"
    }

    public var description: String {
        "#\(index) \(name) (\(type), \(driverName.isEmpty ? "driver \(driverVersion)" : driverName), Vulkan \(apiVersion))"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
