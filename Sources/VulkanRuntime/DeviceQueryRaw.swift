import CVulkan

/// Reads one physical device's properties, features, extensions and queues into a `VulkanDeviceInfo`.
/// Structures beyond Vulkan 1.1 are chained only where the device's API version or an
/// extension says they exist (an unknown structure in a pNext chain is invalid usage).
extension VulkanDeviceInfo {
    init(index: Int, physicalDevice device: VkPhysicalDevice, instance: VkInstance) throws(VulkanError) {
        let extensions = try Self.extensionNames(device)
        var base = VkPhysicalDeviceProperties()
        vkGetPhysicalDeviceProperties(device, &base)
        let api = VulkanVersion(raw: base.apiVersion)
        let has12 = api >= .v1_2
        let cooperative = try CooperativeMatrixFacts(device: device, instance: instance, extensions: extensions, apiVersion: api)

        // Properties: driver (1.2 / KHR), subgroup (1.1), maintenance3 (1.1).
        var driver = VkPhysicalDeviceDriverProperties()
        driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES
        var subgroup = VkPhysicalDeviceSubgroupProperties()
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES
        var maintenance3 = VkPhysicalDeviceMaintenance3Properties()
        maintenance3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES
        var properties = VkPhysicalDeviceProperties2()
        properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
        let hasDriverProperties = has12 || extensions.contains("VK_KHR_driver_properties")
        withUnsafeMutablePointer(to: &driver) { driverPointer in
            withUnsafeMutablePointer(to: &subgroup) { subgroupPointer in
                withUnsafeMutablePointer(to: &maintenance3) { maintenancePointer in
                    subgroupPointer.pointee.pNext = UnsafeMutableRawPointer(maintenancePointer)
                    maintenancePointer.pointee.pNext = hasDriverProperties ? UnsafeMutableRawPointer(driverPointer) : nil
                    properties.pNext = UnsafeMutableRawPointer(subgroupPointer)
                    vkGetPhysicalDeviceProperties2(device, &properties)
                }
            }
        }

        // Features: 16-bit storage (1.1), float16/int8 (1.2 / KHR), 8-bit storage (1.2 / KHR).
        var storage16 = VkPhysicalDevice16BitStorageFeatures()
        storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
        var float16Int8 = VkPhysicalDeviceShaderFloat16Int8Features()
        float16Int8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES
        var storage8 = VkPhysicalDevice8BitStorageFeatures()
        storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES
        var features = VkPhysicalDeviceFeatures2()
        features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
        let hasFloat16Int8 = has12 || extensions.contains("VK_KHR_shader_float16_int8")
        let hasStorage8 = has12 || extensions.contains("VK_KHR_8bit_storage")
        withUnsafeMutablePointer(to: &storage16) { storage16Pointer in
            withUnsafeMutablePointer(to: &float16Int8) { float16Pointer in
                withUnsafeMutablePointer(to: &storage8) { storage8Pointer in
                    var next: UnsafeMutableRawPointer? = nil
                    if hasStorage8 { storage8Pointer.pointee.pNext = next; next = UnsafeMutableRawPointer(storage8Pointer) }
                    if hasFloat16Int8 { float16Pointer.pointee.pNext = next; next = UnsafeMutableRawPointer(float16Pointer) }
                    storage16Pointer.pointee.pNext = next
                    features.pNext = UnsafeMutableRawPointer(storage16Pointer)
                    vkGetPhysicalDeviceFeatures2(device, &features)
                }
            }
        }

        // Memory heaps.
        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(device, &memory)
        let heaps = tupleArray(memory.memoryHeaps, of: VkMemoryHeap.self, count: Int(memory.memoryHeapCount))
        let localHeaps = heaps.filter { $0.flags & VkMemoryHeapFlags(VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.rawValue) != 0 }
        let deviceMemory = (localHeaps.isEmpty ? heaps : localHeaps).reduce(0) { $0 + Int(clamping: $1.size) }

        // Queues: the first family with compute (a compute-only family first, when there is one).
        var familyCount: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(familyCount))
        vkGetPhysicalDeviceQueueFamilyProperties(device, &familyCount, &families)
        let compute = VkQueueFlags(VK_QUEUE_COMPUTE_BIT.rawValue)
        let graphics = VkQueueFlags(VK_QUEUE_GRAPHICS_BIT.rawValue)
        let family = families.indices.first { families[$0].queueFlags & compute != 0 && families[$0].queueFlags & graphics == 0 }
            ?? families.indices.first { families[$0].queueFlags & compute != 0 }

        let limits = base.limits
        let props = properties.properties
        self.index = index
        name = cString(props.deviceName)
        type = VulkanDeviceType(props.deviceType)
        vendorID = props.vendorID
        deviceID = props.deviceID
        driverID = hasDriverProperties ? VulkanDriverID(driver.driverID) : .unknown
        driverName = hasDriverProperties ? cString(driver.driverName) : ""
        driverInfo = hasDriverProperties ? cString(driver.driverInfo) : ""
        driverVersion = props.driverVersion
        apiVersion = api
        pipelineCacheUUID = tupleArray(props.pipelineCacheUUID, of: UInt8.self, count: 16)
        maxComputeSharedMemorySize = Int(limits.maxComputeSharedMemorySize)
        maxComputeWorkGroupSize = tupleArray(limits.maxComputeWorkGroupSize, of: UInt32.self, count: 3).map(Int.init)
        maxComputeWorkGroupCount = tupleArray(limits.maxComputeWorkGroupCount, of: UInt32.self, count: 3).map(Int.init)
        maxComputeWorkGroupInvocations = Int(limits.maxComputeWorkGroupInvocations)
        maxPushConstantsSize = Int(limits.maxPushConstantsSize)
        maxStorageBufferRange = Int(limits.maxStorageBufferRange)
        maxPerStageDescriptorStorageBuffers = Int(limits.maxPerStageDescriptorStorageBuffers)
        maxMemoryAllocationSize = Int(clamping: maintenance3.maxMemoryAllocationSize)
        deviceMemorySize = deviceMemory
        subgroupSize = Int(subgroup.subgroupSize)
        subgroupInComputeStage = subgroup.supportedStages & VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue) != 0
        subgroupOperations = Self.subgroupOperationNames(subgroup.supportedOperations)
        supportsShaderFloat16 = hasFloat16Int8 && Bool(vk: float16Int8.shaderFloat16)
        supportsShaderInt8 = hasFloat16Int8 && Bool(vk: float16Int8.shaderInt8)
        supportsShaderInt16 = Bool(vk: features.features.shaderInt16)
        supportsShaderInt64 = Bool(vk: features.features.shaderInt64)
        supportsShaderFloat64 = Bool(vk: features.features.shaderFloat64)
        supportsStorageBuffer16BitAccess = Bool(vk: storage16.storageBuffer16BitAccess)
        supportsStorageBuffer8BitAccess = hasStorage8 && Bool(vk: storage8.storageBuffer8BitAccess)
        cooperativeMatrixExtension = cooperative.api?.extensionName
        supportsCooperativeMatrix = cooperative.feature
        cooperativeMatrixInComputeStage = cooperative.computeStage
        cooperativeMatrixShapes = cooperative.shapes
        supportsVulkanMemoryModel = cooperative.memoryModel
        supportsVulkanMemoryModelDeviceScope = cooperative.memoryModelDeviceScope
        self.extensions = extensions.sorted()
        timestampPeriod = Double(limits.timestampPeriod)
        timestampValidBits = family.map { Int(families[$0].timestampValidBits) } ?? 0
        computeQueueFamily = family
        physicalDeviceBits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(device)))
    }

    private static func extensionNames(_ device: VkPhysicalDevice) throws(VulkanError) -> Set<String> {
        var count: UInt32 = 0
        try vkCheck(vkEnumerateDeviceExtensionProperties(device, nil, &count, nil),
                    "vkEnumerateDeviceExtensionProperties", "counting device extensions")
        var properties = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
        try vkCheck(vkEnumerateDeviceExtensionProperties(device, nil, &count, &properties),
                    "vkEnumerateDeviceExtensionProperties", "listing device extensions")
        return Set(properties.prefix(Int(count)).map { cString($0.extensionName) })
    }

    private static func subgroupOperationNames(_ flags: VkSubgroupFeatureFlags) -> [String] {
        let names: [(VkSubgroupFeatureFlagBits, String)] = [
            (VK_SUBGROUP_FEATURE_BASIC_BIT, "basic"), (VK_SUBGROUP_FEATURE_VOTE_BIT, "vote"),
            (VK_SUBGROUP_FEATURE_ARITHMETIC_BIT, "arithmetic"), (VK_SUBGROUP_FEATURE_BALLOT_BIT, "ballot"),
            (VK_SUBGROUP_FEATURE_SHUFFLE_BIT, "shuffle"), (VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT, "shuffle_relative"),
            (VK_SUBGROUP_FEATURE_CLUSTERED_BIT, "clustered"), (VK_SUBGROUP_FEATURE_QUAD_BIT, "quad"),
        ]
        return names.filter { flags & VkSubgroupFeatureFlags($0.0.rawValue) != 0 }.map(\.1)
    }
}
