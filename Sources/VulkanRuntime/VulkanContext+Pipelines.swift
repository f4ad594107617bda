import RuntimeSupport
import CVulkan
import Foundation

extension VulkanContext {
    /// A compute pipeline for `spirv` (entry point `entryPoint`, GLCompute) with `storageBuffers`
    /// storage buffers at set 0, bindings 0..<storageBuffers, `pushConstantBytes` of push
    /// constants, and `specialization` (constant_id → value). Local size and shared memory are
    /// checked against the device's limits first (typed errors). Cached per context: the same
    /// arguments return the same pipeline (`cacheStatistics.hits`).
    public func makePipeline(spirv: [UInt32], entryPoint: String = "main", storageBuffers: Int,
                             pushConstantBytes: Int = 0,
                             specialization: [UInt32: SpecializationValue] = [:]) throws(VulkanError) -> VulkanPipeline {
        let key = PipelineKey(hash: FNV1a64.hash(words: spirv), words: spirv, entryPoint: entryPoint,
                              storageBuffers: storageBuffers, pushConstantBytes: pushConstantBytes,
                              specialization: specialization)
        let created = try pipelines.withLock { (table: inout PipelineTable) throws(VulkanError) -> Bool? in
            if table.pipelines[key] != nil {
                table.statistics.hits += 1
                return nil
            }
            table.pipelines[key] = try createPipeline(key)
            table.statistics.misses += 1
            return true
        }
        if created != nil { savePipelineCache() }
        return pipelines.withLock { $0.pipelines[key]! }
    }

    /// Drops every cached pipeline of this context (pipelines still referenced stay valid).
    public func removeCachedPipelines() {
        pipelines.withLock { $0.pipelines.removeAll() }
    }

    private func createPipeline(_ key: PipelineKey) throws(VulkanError) -> VulkanPipeline {
        let info = device
        let reflection = try SPIRVReflection(words: key.words)
        guard let entry = reflection.entryPoints[key.entryPoint] else {
            throw .entryPointNotFound(name: key.entryPoint, available: reflection.entryPoints.keys.sorted())
        }
        let bits = key.specialization.mapValues(\.bits)
        let localSize = reflection.localSize(of: entry, specialization: bits)
        if let localSize {
            let invocations = localSize.reduce(1, *)
            if zip(localSize, info.maxComputeWorkGroupSize).contains(where: { $0 > $1 || $0 < 1 })
                || invocations > info.maxComputeWorkGroupInvocations {
                throw .invalidWorkGroupSize(requested: localSize, maximum: info.maxComputeWorkGroupSize,
                                            maximumInvocations: info.maxComputeWorkGroupInvocations, device: info.name)
            }
        }
        let shared = reflection.sharedMemoryBytes(specialization: bits)
        if let shared, shared > info.maxComputeSharedMemorySize {
            throw .sharedMemoryTooSmall(needed: shared, available: info.maxComputeSharedMemorySize, device: info.name)
        }
        guard key.pushConstantBytes >= 0, key.pushConstantBytes % 4 == 0,
              key.pushConstantBytes <= info.maxPushConstantsSize else {
            throw .invalidPushConstants(bytes: key.pushConstantBytes, maximum: info.maxPushConstantsSize,
                                        reason: "the range must be a multiple of 4 bytes within the device limit")
        }
        guard key.storageBuffers >= 0, key.storageBuffers <= info.maxPerStageDescriptorStorageBuffers else {
            throw .tooManyStorageBuffers(count: key.storageBuffers, maximum: info.maxPerStageDescriptorStorageBuffers,
                                         device: info.name)
        }

        let device = handles.device
        let setLayout = try makeSetLayout(bindings: key.storageBuffers)
        var layout: VkPipelineLayout?
        var range = VkPushConstantRange(stageFlags: VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue), offset: 0,
                                        size: UInt32(key.pushConstantBytes))
        var setLayoutHandle: VkDescriptorSetLayout? = setLayout
        var layoutInfo = VkPipelineLayoutCreateInfo()
        layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
        let layoutResult = withUnsafePointer(to: &setLayoutHandle) { setPointer in
            withUnsafePointer(to: &range) { rangePointer in
                layoutInfo.setLayoutCount = 1
                layoutInfo.pSetLayouts = setPointer
                layoutInfo.pushConstantRangeCount = key.pushConstantBytes > 0 ? 1 : 0
                layoutInfo.pPushConstantRanges = key.pushConstantBytes > 0 ? rangePointer : nil
                return vkCreatePipelineLayout(device, &layoutInfo, nil, &layout)
            }
        }
        guard layoutResult == VK_SUCCESS, let layout else {
            vkDestroyDescriptorSetLayout(device, setLayout, nil)
            throw VulkanError.from(result: VulkanResult(layoutResult), call: "vkCreatePipelineLayout",
                                   context: "\(key.storageBuffers) storage buffers, \(key.pushConstantBytes) push-constant bytes")
        }

        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = createComputePipeline(key: key, layout: layout)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        switch outcome {
        case .success(let pipeline):
            return VulkanPipeline(handles: handles, pipeline: pipeline, layout: layout, setLayout: setLayout, key: key,
                                  localSize: localSize, sharedMemoryBytes: shared, creationSeconds: seconds)
        case .failure(let error):
            vkDestroyPipelineLayout(device, layout, nil)
            vkDestroyDescriptorSetLayout(device, setLayout, nil)
            let what = "entry point '\(key.entryPoint)', local size \(localSize.map(VulkanError.dims) ?? "?"), "
                + "shared memory \(shared.map { "\($0) B" } ?? "?"), specialization \(key.specializationText), "
                + "\(key.words.count) SPIR-V words on \(info.name)"
            throw .pipelineCreationFailed(result: error.result, log: "\(error.call) returned \(error.result.name) for \(what).")
        }
    }

    private struct CreationFailure: Error { let call: String; let result: VulkanResult }

    private func createComputePipeline(key: PipelineKey, layout: VkPipelineLayout) -> Result<VkPipeline, CreationFailure> {
        let device = handles.device
        var module: VkShaderModule?
        let moduleResult = key.words.withUnsafeBufferPointer { words in
            var info = VkShaderModuleCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
            info.codeSize = words.count * 4
            info.pCode = words.baseAddress
            return vkCreateShaderModule(device, &info, nil, &module)
        }
        guard moduleResult == VK_SUCCESS, let module else {
            return .failure(CreationFailure(call: "vkCreateShaderModule", result: VulkanResult(moduleResult)))
        }
        defer { vkDestroyShaderModule(device, module, nil) }

        let entries = key.specialization.keys.sorted()
        var mapEntries = entries.enumerated().map { index, id in
            VkSpecializationMapEntry(constantID: id, offset: UInt32(index * 4), size: 4)
        }
        var data = entries.map { key.specialization[$0]!.bits }
        var pipeline: VkPipeline?
        let result = key.entryPoint.withCString { name in
            mapEntries.withUnsafeMutableBufferPointer { mapPointer in
                data.withUnsafeMutableBytes { dataPointer in
                    var specialization = VkSpecializationInfo(mapEntryCount: UInt32(mapPointer.count),
                                                              pMapEntries: mapPointer.baseAddress,
                                                              dataSize: dataPointer.count, pData: dataPointer.baseAddress)
                    return withUnsafePointer(to: &specialization) { specializationPointer in
                        var stage = VkPipelineShaderStageCreateInfo()
                        stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
                        stage.stage = VK_SHADER_STAGE_COMPUTE_BIT
                        stage.module = module
                        stage.pName = name
                        stage.pSpecializationInfo = entries.isEmpty ? nil : specializationPointer
                        var info = VkComputePipelineCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
                        info.stage = stage
                        info.layout = layout
                        info.basePipelineIndex = -1
                        return vkCreateComputePipelines(device, driverCache, 1, &info, nil, &pipeline)
                    }
                }
            }
        }
        guard result == VK_SUCCESS, let pipeline else {
            return .failure(CreationFailure(call: "vkCreateComputePipelines", result: VulkanResult(result)))
        }
        return .success(pipeline)
    }

    private func makeSetLayout(bindings count: Int) throws(VulkanError) -> VkDescriptorSetLayout {
        var bindings = (0..<count).map { index in
            VkDescriptorSetLayoutBinding(binding: UInt32(index), descriptorType: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                         descriptorCount: 1,
                                         stageFlags: VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue),
                                         pImmutableSamplers: nil)
        }
        var setLayout: VkDescriptorSetLayout?
        let result = bindings.withUnsafeMutableBufferPointer { pointer in
            var info = VkDescriptorSetLayoutCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
            info.bindingCount = UInt32(pointer.count)
            info.pBindings = pointer.isEmpty ? nil : UnsafePointer(pointer.baseAddress)
            return vkCreateDescriptorSetLayout(handles.device, &info, nil, &setLayout)
        }
        guard result == VK_SUCCESS, let setLayout else {
            throw VulkanError.from(result: VulkanResult(result), call: "vkCreateDescriptorSetLayout",
                                   context: "\(count) storage-buffer bindings")
        }
        return setLayout
    }
}
