import CVulkan
import Foundation
import RuntimeSupport

/// The driver objects of one logical device: what pipelines and buffers keep alive. Separate
/// from `VulkanContext` so the context's pipeline table (context → pipeline) does not form a
/// retain cycle with each pipeline's back-reference (pipeline → handles).
///
/// Vulkan requires external synchronisation of the queue and of the command pool; `submission`
/// serialises every use of both.
final class DeviceHandles: @unchecked Sendable {
    let info: VulkanDeviceInfo
    let device: VkDevice
    let queue: VkQueue
    let commandPool: VkCommandPool
    let memoryTypes: MemoryTypes
    let submission = NSLock()
    /// Dispatches whose fence wait timed out. The device may still read and write their buffers
    /// and pipelines, so they stay alive for the rest of the process (they also keep these
    /// handles alive: the device is never destroyed under them). On lavapipe device memory is
    /// host heap, and freeing it under a running shader corrupted the heap.
    let abandoned = Locked<[VulkanDispatch]>([])

    init(info: VulkanDeviceInfo) throws(VulkanError) {
        self.info = info
        guard let family = info.computeQueueFamily else {
            throw .noDevice(reason: "\(info) has no queue family with VK_QUEUE_COMPUTE_BIT.")
        }
        let physical = info.physicalDevice
        memoryTypes = MemoryTypes(physical)
        let device = try Self.createDevice(info: info, physical: physical, family: UInt32(family))
        var queue: VkQueue?
        vkGetDeviceQueue(device, UInt32(family), 0, &queue)
        guard let queue else {
            vkDestroyDevice(device, nil)
            throw .noDevice(reason: "vkGetDeviceQueue returned no queue for family \(family) of \(info).")
        }
        var poolInfo = VkCommandPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        poolInfo.flags = VkCommandPoolCreateFlags(VK_COMMAND_POOL_CREATE_TRANSIENT_BIT.rawValue
                                                  | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue)
        poolInfo.queueFamilyIndex = UInt32(family)
        var pool: VkCommandPool?
        let result = vkCreateCommandPool(device, &poolInfo, nil, &pool)
        guard result == VK_SUCCESS, let pool else {
            vkDestroyDevice(device, nil)
            throw VulkanError.from(result: VulkanResult(result), call: "vkCreateCommandPool", context: "on \(info.name)")
        }
        self.device = device
        self.queue = queue
        self.commandPool = pool
    }

    deinit {
        vkDeviceWaitIdle(device)
        vkDestroyCommandPool(device, commandPool, nil)
        vkDestroyDevice(device, nil)
    }

    /// One compute queue; the shader features the emitter may use are enabled where supported
    /// (fp16/int8 arithmetic, 16/8-bit storage, int16/int64/fp64, cooperative matrices with the
    /// Vulkan memory model). robustBufferAccess stays off.
    private static func createDevice(info: VulkanDeviceInfo, physical: VkPhysicalDevice,
                                     family: UInt32) throws(VulkanError) -> VkDevice {
        let has12 = info.apiVersion >= .v1_2
        var extensionNames: [String] = []
        if !has12 {
            for name in ["VK_KHR_shader_float16_int8", "VK_KHR_8bit_storage", "VK_KHR_driver_properties"]
            where info.extensions.contains(name) { extensionNames.append(name) }
        }
        let cooperativeFeatures = StructureChain()
        extensionNames += enableCooperativeMatrix(info, in: cooperativeFeatures)
        var storage16 = VkPhysicalDevice16BitStorageFeatures()
        storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
        storage16.storageBuffer16BitAccess = info.supportsStorageBuffer16BitAccess.vk
        var float16Int8 = VkPhysicalDeviceShaderFloat16Int8Features()
        float16Int8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES
        float16Int8.shaderFloat16 = info.supportsShaderFloat16.vk
        float16Int8.shaderInt8 = info.supportsShaderInt8.vk
        var storage8 = VkPhysicalDevice8BitStorageFeatures()
        storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES
        storage8.storageBuffer8BitAccess = info.supportsStorageBuffer8BitAccess.vk
        var features = VkPhysicalDeviceFeatures2()
        features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
        features.features.shaderInt16 = info.supportsShaderInt16.vk
        features.features.shaderInt64 = info.supportsShaderInt64.vk
        features.features.shaderFloat64 = info.supportsShaderFloat64.vk
        let chainFloat16Int8 = info.supportsShaderFloat16 || info.supportsShaderInt8
        let chainStorage8 = info.supportsStorageBuffer8BitAccess

        var priority: Float = 1
        var device: VkDevice?
        let cNames = extensionNames.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        var namePointers = cNames.map { UnsafePointer<CChar>($0) }
        let result = withUnsafeMutablePointer(to: &storage16) { storage16Pointer in
            withUnsafeMutablePointer(to: &float16Int8) { float16Pointer in
                withUnsafeMutablePointer(to: &storage8) { storage8Pointer in
                    var next = cooperativeFeatures.head
                    if chainStorage8 { storage8Pointer.pointee.pNext = next; next = UnsafeMutableRawPointer(storage8Pointer) }
                    if chainFloat16Int8 { float16Pointer.pointee.pNext = next; next = UnsafeMutableRawPointer(float16Pointer) }
                    storage16Pointer.pointee.pNext = next
                    features.pNext = UnsafeMutableRawPointer(storage16Pointer)
                    return withUnsafeMutablePointer(to: &features) { featuresPointer in
                        withUnsafePointer(to: &priority) { priorityPointer in
                            var queueInfo = VkDeviceQueueCreateInfo()
                            queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
                            queueInfo.queueFamilyIndex = family
                            queueInfo.queueCount = 1
                            queueInfo.pQueuePriorities = priorityPointer
                            return withUnsafePointer(to: &queueInfo) { queuePointer in
                                namePointers.withUnsafeMutableBufferPointer { names in
                                    var deviceInfo = VkDeviceCreateInfo()
                                    deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                                    deviceInfo.pNext = UnsafeRawPointer(featuresPointer)
                                    deviceInfo.queueCreateInfoCount = 1
                                    deviceInfo.pQueueCreateInfos = queuePointer
                                    deviceInfo.enabledExtensionCount = UInt32(names.count)
                                    deviceInfo.ppEnabledExtensionNames = names.isEmpty ? nil : UnsafePointer(names.baseAddress)
                                    return vkCreateDevice(physical, &deviceInfo, nil, &device)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard result == VK_SUCCESS, let device else {
            throw VulkanError.from(result: VulkanResult(result), call: "vkCreateDevice",
                                   context: "creating a logical device on \(info.name)")
        }
        return device
    }

    /// Chains the cooperative-matrix feature and, with it, the Vulkan memory model that glslang's
    /// cooperative-matrix SPIR-V declares; returns the device extensions they need.
    private static func enableCooperativeMatrix(_ info: VulkanDeviceInfo, in chain: StructureChain) -> [String] {
        guard let api = info.cooperativeMatrixAPI, info.supportsCooperativeMatrix else { return [] }
        var names = [api.extensionName]
        switch api {
        case .khr:
            var feature = VkPhysicalDeviceCooperativeMatrixFeaturesKHR()
            feature.cooperativeMatrix = VK_TRUE
            chain.add(feature, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR)
        case .nv:
            var feature = VkPhysicalDeviceCooperativeMatrixFeaturesNV()
            feature.cooperativeMatrix = VK_TRUE
            chain.add(feature, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV)
        }
        if info.supportsVulkanMemoryModel {
            var memoryModel = VkPhysicalDeviceVulkanMemoryModelFeatures()
            memoryModel.vulkanMemoryModel = VK_TRUE
            memoryModel.vulkanMemoryModelDeviceScope = info.supportsVulkanMemoryModelDeviceScope.vk
            chain.add(memoryModel, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES)
            if info.apiVersion < .v1_2 { names.append("VK_KHR_vulkan_memory_model") }
        }
        return names
    }
}
