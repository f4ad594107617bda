import CVulkan
import Foundation

extension VulkanContext {
    /// Records one dispatch, submits it, waits for it and returns its timing.
    public func dispatch(_ pipeline: VulkanPipeline, buffers: [VulkanBuffer], pushConstants: [UInt8] = [],
                         groups: (x: Int, y: Int, z: Int)) throws(VulkanError) -> VulkanTiming {
        try dispatchSequence([VulkanDispatch(pipeline, buffers: buffers, pushConstants: pushConstants, groups: groups)])
    }

    /// As `dispatch`, with push constants of one scalar type (e.g. `[UInt32]`).
    public func dispatch<T: VulkanScalar>(_ pipeline: VulkanPipeline, buffers: [VulkanBuffer], pushConstants: [T],
                                          groups: (x: Int, y: Int, z: Int)) throws(VulkanError) -> VulkanTiming {
        try dispatchSequence([VulkanDispatch(pipeline, buffers: buffers, pushConstants: pushConstants, groups: groups)])
    }

    /// Records every step into one command buffer — a compute→compute memory barrier between
    /// consecutive steps (later steps see earlier steps' writes, e.g. attention then merge) and a
    /// compute→host barrier at the end — submits it once and waits on a fence. Every step is
    /// checked (buffers, push constants, group counts) before anything is recorded.
    public func dispatchSequence(_ steps: [VulkanDispatch]) throws(VulkanError) -> VulkanTiming {
        guard !steps.isEmpty else { throw .invalidDispatch(reason: "an empty dispatch sequence") }
        for (index, step) in steps.enumerated() { try validate(step, index: index) }
        let start = DispatchTime.now().uptimeNanoseconds
        handles.submission.lock()
        defer { handles.submission.unlock() }
        var submission = Submission(handles: handles, steps: steps)
        defer { submission.release() }
        let ticks = try submission.run(timeoutSeconds: fenceTimeoutSeconds)
        let host = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let ticks else { return VulkanTiming(hostSeconds: host, deviceSeconds: nil, dispatchDeviceSeconds: []) }
        let period = device.timestampPeriod * 1e-9
        let perStep = (0..<steps.count).map { Double(ticks[2 * $0 + 1] &- ticks[2 * $0]) * period }
        let total = Double(ticks[2 * steps.count - 1] &- ticks[0]) * period
        return VulkanTiming(hostSeconds: host, deviceSeconds: total, dispatchDeviceSeconds: perStep)
    }

    private func validate(_ step: VulkanDispatch, index: Int) throws(VulkanError) {
        let info = device
        let pipeline = step.pipeline
        let label = "step \(index) ('\(pipeline.entryPoint)')"
        guard pipeline.handles === handles else {
            throw .invalidDispatch(reason: "\(label): the pipeline was created by another context")
        }
        guard step.buffers.count == pipeline.storageBuffers else {
            throw .invalidDispatch(reason: "\(label): \(step.buffers.count) buffers given, the pipeline binds \(pipeline.storageBuffers)")
        }
        if let foreign = step.buffers.firstIndex(where: { $0.handles !== handles }) {
            throw .invalidDispatch(reason: "\(label): buffer \(foreign) belongs to another context")
        }
        guard step.pushConstants.count == pipeline.pushConstantBytes else {
            throw .invalidPushConstants(bytes: step.pushConstants.count, maximum: info.maxPushConstantsSize,
                                        reason: "\(label) declares \(pipeline.pushConstantBytes) push-constant bytes")
        }
        let groups = step.groups.array
        if zip(groups, info.maxComputeWorkGroupCount).contains(where: { $0 < 1 || $0 > $1 }) {
            throw .invalidGroupCount(requested: groups, maximum: info.maxComputeWorkGroupCount, device: info.name)
        }
    }
}

/// The transient objects of one submission (descriptor pool, command buffer, fence, query pool),
/// recorded, submitted and released under the context's submission lock.
struct Submission {
    let handles: DeviceHandles
    let steps: [VulkanDispatch]
    private var descriptorPool: VkDescriptorPool?
    private var commandBuffer: VkCommandBuffer?
    private var fence: VkFence?
    private var queryPool: VkQueryPool?
    /// After a timeout the GPU may still use the objects: they are leaked rather than destroyed,
    /// and the steps' buffers and pipelines are kept (`DeviceHandles.abandoned`).
    private var leak = false

    init(handles: DeviceHandles, steps: [VulkanDispatch]) {
        self.handles = handles
        self.steps = steps
    }

    /// Returns the raw timestamps (2 per step) or nil when the queue has none.
    mutating func run(timeoutSeconds: Double) throws(VulkanError) -> [UInt64]? {
        let device = handles.device
        let sets = try allocateDescriptorSets()
        let timestamps = handles.info.timestampValidBits > 0
        if timestamps { queryPool = try createQueryPool(count: 2 * steps.count) }

        var allocate = VkCommandBufferAllocateInfo()
        allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        allocate.commandPool = handles.commandPool
        allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        allocate.commandBufferCount = 1
        try vkCheck(vkAllocateCommandBuffers(device, &allocate, &commandBuffer), "vkAllocateCommandBuffers", "one primary buffer")
        guard let commandBuffer else { throw .call(name: "vkAllocateCommandBuffers", result: .success, context: "no buffer returned") }
        var begin = VkCommandBufferBeginInfo()
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        begin.flags = VkCommandBufferUsageFlags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue)
        try vkCheck(vkBeginCommandBuffer(commandBuffer, &begin), "vkBeginCommandBuffer", "recording \(steps.count) dispatches")

        if let queryPool { vkCmdResetQueryPool(commandBuffer, queryPool, 0, UInt32(2 * steps.count)) }
        let computeStage = VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue)
        for (index, step) in steps.enumerated() {
            let pipeline = step.pipeline
            if let queryPool { vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queryPool, UInt32(2 * index)) }
            vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline)
            var set: VkDescriptorSet? = sets[index]
            vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0, nil)
            if !step.pushConstants.isEmpty {
                step.pushConstants.withUnsafeBytes { bytes in
                    vkCmdPushConstants(commandBuffer, pipeline.layout, computeStage, 0, UInt32(bytes.count), bytes.baseAddress)
                }
            }
            vkCmdDispatch(commandBuffer, UInt32(step.groups.x), UInt32(step.groups.y), UInt32(step.groups.z))
            if let queryPool {
                vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queryPool, UInt32(2 * index + 1))
            }
            if index + 1 < steps.count {
                barrier(commandBuffer, from: VK_ACCESS_SHADER_WRITE_BIT.rawValue,
                        to: VK_ACCESS_SHADER_READ_BIT.rawValue | VK_ACCESS_SHADER_WRITE_BIT.rawValue,
                        stages: VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT)
            }
        }
        barrier(commandBuffer, from: VK_ACCESS_SHADER_WRITE_BIT.rawValue, to: VK_ACCESS_HOST_READ_BIT.rawValue,
                stages: VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT)
        try vkCheck(vkEndCommandBuffer(commandBuffer), "vkEndCommandBuffer", "recording \(steps.count) dispatches")

        var fenceInfo = VkFenceCreateInfo()
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        try vkCheck(vkCreateFence(device, &fenceInfo, nil, &fence), "vkCreateFence", "for a submission")
        var buffer: VkCommandBuffer? = commandBuffer
        let submitResult = withUnsafePointer(to: &buffer) { bufferPointer in
            var submit = VkSubmitInfo()
            submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            submit.commandBufferCount = 1
            submit.pCommandBuffers = bufferPointer
            return vkQueueSubmit(handles.queue, 1, &submit, fence)
        }
        try vkCheck(submitResult, "vkQueueSubmit", "\(steps.count) dispatch(es) on \(handles.info.name)")
        let timeout = UInt64(max(0, min(timeoutSeconds, 1e9)) * 1e9)
        let waited = vkWaitForFences(device, 1, &fence, VkBool32(1), timeout)
        if waited == VK_TIMEOUT {
            leak = true
            handles.abandoned.withLock { $0 += steps }
            throw .timeout(seconds: timeoutSeconds, context: "\(steps.count) dispatch(es) of "
                           + steps.map { "'\($0.pipeline.entryPoint)' \($0.groups)" }.joined(separator: ", "))
        }
        try vkCheck(waited, "vkWaitForFences", "waiting for \(steps.count) dispatch(es)")

        guard let queryPool else { return nil }
        var ticks = [UInt64](repeating: 0, count: 2 * steps.count)
        let flags = VkQueryResultFlags(VK_QUERY_RESULT_64_BIT.rawValue | VK_QUERY_RESULT_WAIT_BIT.rawValue)
        let queried = ticks.withUnsafeMutableBytes { raw in
            vkGetQueryPoolResults(device, queryPool, 0, UInt32(raw.count / 8), raw.count, raw.baseAddress, 8, flags)
        }
        guard queried == VK_SUCCESS else { return nil }
        let bits = handles.info.timestampValidBits
        let mask: UInt64 = bits >= 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
        return ticks.map { $0 & mask }
    }

    mutating func release() {
        guard !leak else { return }
        let device = handles.device
        if let commandBuffer {
            var buffer: VkCommandBuffer? = commandBuffer
            vkFreeCommandBuffers(device, handles.commandPool, 1, &buffer)
        }
        if let fence { vkDestroyFence(device, fence, nil) }
        if let descriptorPool { vkDestroyDescriptorPool(device, descriptorPool, nil) }
        if let queryPool { vkDestroyQueryPool(device, queryPool, nil) }
    }

    private func barrier(_ commandBuffer: VkCommandBuffer, from source: UInt32, to destination: UInt32,
                         stages sourceStage: VkPipelineStageFlagBits, _ destinationStage: VkPipelineStageFlagBits) {
        var memoryBarrier = VkMemoryBarrier()
        memoryBarrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        memoryBarrier.srcAccessMask = VkAccessFlags(source)
        memoryBarrier.dstAccessMask = VkAccessFlags(destination)
        vkCmdPipelineBarrier(commandBuffer, VkPipelineStageFlags(sourceStage.rawValue),
                             VkPipelineStageFlags(destinationStage.rawValue), 0, 1, &memoryBarrier, 0, nil, 0, nil)
    }

    private mutating func createQueryPool(count: Int) throws(VulkanError) -> VkQueryPool {
        var info = VkQueryPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO
        info.queryType = VK_QUERY_TYPE_TIMESTAMP
        info.queryCount = UInt32(count)
        var pool: VkQueryPool?
        try vkCheck(vkCreateQueryPool(handles.device, &info, nil, &pool), "vkCreateQueryPool", "\(count) timestamps")
        guard let pool else { throw .call(name: "vkCreateQueryPool", result: .success, context: "no pool returned") }
        return pool
    }

    /// One descriptor set per step, written with its buffers (binding i = buffers[i], whole range).
    private mutating func allocateDescriptorSets() throws(VulkanError) -> [VkDescriptorSet] {
        let device = handles.device
        let total = steps.reduce(0) { $0 + $1.buffers.count }
        var size = VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount: UInt32(max(total, 1)))
        var poolInfo = VkDescriptorPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
        poolInfo.maxSets = UInt32(steps.count)
        poolInfo.poolSizeCount = 1
        var pool: VkDescriptorPool?
        let created = withUnsafePointer(to: &size) { sizePointer in
            poolInfo.pPoolSizes = sizePointer
            return vkCreateDescriptorPool(device, &poolInfo, nil, &pool)
        }
        try vkCheck(created, "vkCreateDescriptorPool", "\(steps.count) sets, \(total) storage buffers")
        guard let pool else { throw .call(name: "vkCreateDescriptorPool", result: .success, context: "no pool returned") }
        descriptorPool = pool

        var layouts: [VkDescriptorSetLayout?] = steps.map { $0.pipeline.setLayout }
        var sets = [VkDescriptorSet?](repeating: nil, count: steps.count)
        let allocated = layouts.withUnsafeMutableBufferPointer { layoutPointer in
            var info = VkDescriptorSetAllocateInfo()
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
            info.descriptorPool = pool
            info.descriptorSetCount = UInt32(steps.count)
            info.pSetLayouts = UnsafePointer(layoutPointer.baseAddress)
            return vkAllocateDescriptorSets(device, &info, &sets)
        }
        try vkCheck(allocated, "vkAllocateDescriptorSets", "\(steps.count) sets")

        var bufferInfos: [VkDescriptorBufferInfo] = steps.flatMap { step in
            step.buffers.map { VkDescriptorBufferInfo(buffer: $0.buffer, offset: 0, range: UInt64.max) }  // VK_WHOLE_SIZE
        }
        bufferInfos.withUnsafeMutableBufferPointer { infos in
            var writes: [VkWriteDescriptorSet] = []
            var offset = 0
            for (index, step) in steps.enumerated() {
                for binding in 0..<step.buffers.count {
                    var write = VkWriteDescriptorSet()
                    write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
                    write.dstSet = sets[index]
                    write.dstBinding = UInt32(binding)
                    write.descriptorCount = 1
                    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                    write.pBufferInfo = UnsafePointer(infos.baseAddress! + offset)
                    writes.append(write)
                    offset += 1
                }
            }
            if !writes.isEmpty { vkUpdateDescriptorSets(device, UInt32(writes.count), &writes, 0, nil) }
        }
        return sets.map { $0! }
    }
}
