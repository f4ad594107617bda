import CVulkan

/// What a device offers for cooperative-matrix shaders: the extension (KHR preferred over NV),
/// its feature and compute-stage support, the shapes it runs, and the Vulkan memory model that
/// glslang's cooperative-matrix SPIR-V declares (OpCapability VulkanMemoryModel). Read with
/// calls of their own so these structures are chained only where the device has them.
struct CooperativeMatrixFacts {
    typealias Shape = VulkanCooperativeMatrixShape
    var api: Shape.API?
    var feature = false
    var computeStage = false
    var shapes: [Shape] = []
    var memoryModel = false
    var memoryModelDeviceScope = false

    init(device: VkPhysicalDevice, instance: VkInstance, extensions: Set<String>, apiVersion: VulkanVersion) throws(VulkanError) {
        api = [.khr, .nv].first { extensions.contains($0.extensionName) }
        let features = StructureChain()
        let properties = StructureChain()
        let memoryModelLink = apiVersion >= .v1_2 || extensions.contains("VK_KHR_vulkan_memory_model")
            ? features.add(VkPhysicalDeviceVulkanMemoryModelFeatures(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES)
            : nil
        let support: (() -> (Bool, Bool))? = switch api {
        case .khr:
            Self.link(features, VkPhysicalDeviceCooperativeMatrixFeaturesKHR(),
                      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR, \.cooperativeMatrix,
                      properties, VkPhysicalDeviceCooperativeMatrixPropertiesKHR(),
                      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_PROPERTIES_KHR, \.cooperativeMatrixSupportedStages)
        case .nv:
            Self.link(features, VkPhysicalDeviceCooperativeMatrixFeaturesNV(),
                      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV, \.cooperativeMatrix,
                      properties, VkPhysicalDeviceCooperativeMatrixPropertiesNV(),
                      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_PROPERTIES_NV, \.cooperativeMatrixSupportedStages)
        case nil: nil
        }
        Self.fill(device, features: features, properties: properties)
        if let support { (feature, computeStage) = support() }
        if let memoryModelLink {
            memoryModel = Bool(vk: features[memoryModelLink].vulkanMemoryModel)
            memoryModelDeviceScope = Bool(vk: features[memoryModelLink].vulkanMemoryModelDeviceScope)
        }
        if let api { shapes = try Self.shapes(api, device, instance) }
    }

    /// Chains one extension's feature and property structures; the closure reads, after `fill`,
    /// its feature bit and whether compute shaders are among its stages.
    private static func link<Feature: BitwiseCopyable, Properties: BitwiseCopyable>(
        _ features: StructureChain, _ feature: Feature, _ featureType: VkStructureType, _ flag: KeyPath<Feature, VkBool32>,
        _ properties: StructureChain, _ property: Properties, _ propertyType: VkStructureType,
        _ stages: KeyPath<Properties, VkShaderStageFlags>
    ) -> () -> (Bool, Bool) {
        let featureLink = features.add(feature, featureType)
        let propertyLink = properties.add(property, propertyType)
        let compute = VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue)
        return { (Bool(vk: features[featureLink][keyPath: flag]), properties[propertyLink][keyPath: stages] & compute != 0) }
    }

    private static func fill(_ device: VkPhysicalDevice, features: StructureChain, properties: StructureChain) {
        if let head = features.head {
            var query = VkPhysicalDeviceFeatures2()
            query.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
            query.pNext = head
            vkGetPhysicalDeviceFeatures2(device, &query)
        }
        if let head = properties.head {
            var query = VkPhysicalDeviceProperties2()
            query.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
            query.pNext = head
            vkGetPhysicalDeviceProperties2(device, &query)
        }
    }

    private static func shapes(_ api: Shape.API, _ device: VkPhysicalDevice, _ instance: VkInstance) throws(VulkanError) -> [Shape] {
        let name = "vkGetPhysicalDeviceCooperativeMatrixProperties\(api.rawValue)"
        switch api {
        case .khr:
            guard let function = entryPoint(name, instance, as: PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR.self)
            else { return [] }
            return try list(VkCooperativeMatrixPropertiesKHR(), VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR, name) {
                function(device, $0, $1)
            }.map {
                Shape(api: .khr, m: $0.MSize, n: $0.NSize, k: $0.KSize, a: $0.AType.rawValue, b: $0.BType.rawValue,
                      c: $0.CType.rawValue, result: $0.ResultType.rawValue, scope: $0.scope.rawValue,
                      saturatingAccumulation: $0.saturatingAccumulation)
            }
        case .nv:
            guard let function = entryPoint(name, instance, as: PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV.self)
            else { return [] }
            return try list(VkCooperativeMatrixPropertiesNV(), VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV, name) {
                function(device, $0, $1)
            }.map {
                Shape(api: .nv, m: $0.MSize, n: $0.NSize, k: $0.KSize, a: $0.AType.rawValue, b: $0.BType.rawValue,
                      c: $0.CType.rawValue, result: $0.DType.rawValue, scope: $0.scope.rawValue)
            }
        }
    }

    /// An extension entry point: the loader does not export those, the instance hands them out
    /// (nil where the loader or the driver lacks it; the device then lists no shapes).
    private static func entryPoint<Function>(_ name: String, _ instance: VkInstance, as type: Function.Type) -> Function? {
        vkGetInstanceProcAddr(instance, name).map { unsafeBitCast($0, to: type) }
    }

    /// Vulkan's two-call enumeration: count, then fill structures of `type` (VK_INCOMPLETE keeps
    /// what was filled).
    private static func list<Item: BitwiseCopyable>(
        _ empty: Item, _ type: VkStructureType, _ name: String,
        _ call: (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Item>?) -> VkResult
    ) throws(VulkanError) -> [Item] {
        var count: UInt32 = 0
        try vkCheck(call(&count, nil), name, "counting cooperative-matrix shapes")
        var blank = empty
        withUnsafeMutableBytes(of: &blank) { $0.storeBytes(of: type, as: VkStructureType.self) }
        var items = [Item](repeating: blank, count: Int(count))
        let result = items.withUnsafeMutableBufferPointer { call(&count, $0.baseAddress) }
        try vkCheck(result, name, "listing cooperative-matrix shapes")
        return Array(items.prefix(Int(count)))
    }
}
