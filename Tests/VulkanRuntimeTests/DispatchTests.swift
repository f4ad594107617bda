import Foundation
import SPIRVCompiler
import Testing
@testable import VulkanRuntime

@Suite struct DispatchTests {
    @Test func vectorAddRunsOnLavapipe() throws {
        let context = try context()
        let words = try spirv(Shaders.vectorAdd)
        let pipeline = try context.makePipeline(spirv: words, entryPoint: "main", storageBuffers: 3, pushConstantBytes: 8)
        #expect(pipeline.localSize == [64, 1, 1])
        let n = 1000
        let a = (0..<n).map { Float($0) }
        let b = (0..<n).map { Float(2 * $0) + 0.5 }
        let bufferA = try context.makeBuffer(a)
        let bufferB = try context.makeBuffer(b)
        let bufferC = try context.makeBuffer(count: n, of: Float.self)
        var push = VulkanPushConstants()
        push.append(UInt32(n))
        push.append(Float(0.5))
        let timing = try context.dispatchSequence([
            VulkanDispatch(pipeline, buffers: [bufferA, bufferB, bufferC], pushConstants: push,
                           groups: (x: (n + 63) / 64, y: 1, z: 1)),
        ])
        let c = try bufferC.read(as: Float.self)
        #expect(c == (0..<n).map { 0.5 * (a[$0] + b[$0]) })
        #expect(timing.hostSeconds > 0)
        #expect(timing.deviceSeconds.map { $0 >= 0 } ?? true)
    }

    @Test func sharedMemoryAndBarrierReduction() throws {
        let context = try context()
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.groupSum), storageBuffers: 2)
        #expect(pipeline.sharedMemoryBytes == 64 * 4)
        let groups = 37
        let values = (0..<(64 * groups)).map { Float($0 % 97) }
        let input = try context.makeBuffer(values)
        let output = try context.makeBuffer(count: groups, of: Float.self)
        _ = try context.dispatch(pipeline, buffers: [input, output], groups: (x: groups, y: 1, z: 1))
        let sums = try output.read(as: Float.self)
        let expected = (0..<groups).map { g in values[(64 * g)..<(64 * g + 64)].reduce(0, +) }
        #expect(sums == expected)
    }

    @Test func specializationConstantsApply() throws {
        let context = try context()
        let words = try spirv(Shaders.specialized)
        let pipeline = try context.makePipeline(spirv: words, storageBuffers: 1,
                                                specialization: [0: 32, 1: .int32(-3), 2: 8])
        #expect(pipeline.localSize == [32, 1, 1])
        #expect(pipeline.sharedMemoryBytes == 8 * 4)
        let data = try context.makeBuffer(count: 96, of: Int32.self)
        _ = try context.dispatch(pipeline, buffers: [data], groups: (x: 3, y: 1, z: 1))
        #expect(try data.read(as: Int32.self) == (0..<96).map { Int32($0 * -3 + 32) })
    }

    @Test func dispatchSequenceWithBarrier() throws {
        let context = try context()
        let first = try context.makePipeline(spirv: try spirv(Shaders.doubleIt), storageBuffers: 2, pushConstantBytes: 4)
        let second = try context.makePipeline(spirv: try spirv(Shaders.addOne), storageBuffers: 2, pushConstantBytes: 4)
        let n = 4096
        let x = try context.makeBuffer((0..<n).map { Float($0) })
        let y = try context.makeBuffer(count: n, of: Float.self)
        let z = try context.makeBuffer(count: n, of: Float.self)
        let groups = (x: n / 64, y: 1, z: 1)
        let timing = try context.dispatchSequence([
            VulkanDispatch(first, buffers: [x, y], pushConstants: [UInt32(n)], groups: groups),
            VulkanDispatch(second, buffers: [y, z], pushConstants: [UInt32(n)], groups: groups),
        ])
        #expect(try z.read(as: Float.self) == (0..<n).map { 2 * Float($0) + 1 })
        if context.device.timestampValidBits > 0 {
            #expect(timing.dispatchDeviceSeconds.count == 2)
            #expect(timing.deviceSeconds != nil)
        }
    }

    @Test func groupCountOverTheLimitIsATypedError() throws {
        let context = try context()
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.doubleIt), storageBuffers: 2, pushConstantBytes: 4)
        let buffer = try context.makeBuffer(count: 64, of: Float.self)
        let tooMany = context.device.maxComputeWorkGroupCount[0] + 1
        do {
            _ = try context.dispatch(pipeline, buffers: [buffer, buffer], pushConstants: [UInt32(64)],
                                     groups: (x: tooMany, y: 1, z: 1))
            Issue.record("expected invalidGroupCount")
        } catch {
            guard case let .invalidGroupCount(requested, maximum, _) = error else { Issue.record("\(error)"); return }
            #expect(requested == [tooMany, 1, 1])
            #expect(maximum == context.device.maxComputeWorkGroupCount)
        }
        #expect(throws: VulkanError.self) {
            try context.dispatch(pipeline, buffers: [buffer, buffer], pushConstants: [UInt32(64)], groups: (x: 0, y: 1, z: 1))
        }
    }

    @Test func mismatchedDispatchesAreTypedErrors() throws {
        let context = try context()
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.doubleIt), storageBuffers: 2, pushConstantBytes: 4)
        let buffer = try context.makeBuffer(count: 64, of: Float.self)
        do {
            _ = try context.dispatch(pipeline, buffers: [buffer], pushConstants: [UInt32(64)], groups: (x: 1, y: 1, z: 1))
            Issue.record("expected invalidDispatch")
        } catch {
            guard case .invalidDispatch(let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("1 buffers given"))
        }
        do {
            _ = try context.dispatch(pipeline, buffers: [buffer, buffer], pushConstants: [UInt32(64), 0],
                                     groups: (x: 1, y: 1, z: 1))
            Issue.record("expected invalidPushConstants")
        } catch {
            guard case .invalidPushConstants = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func localSizeAndSharedMemoryLimitsAreCheckedBeforeCreation() throws {
        let context = try context()
        let words = try spirv(Shaders.specialized)
        let tooWide = UInt32(context.device.maxComputeWorkGroupInvocations * 2)
        do {
            _ = try context.makePipeline(spirv: words, storageBuffers: 1, specialization: [0: .uint32(tooWide)])
            Issue.record("expected invalidWorkGroupSize")
        } catch {
            guard case let .invalidWorkGroupSize(requested, maximum, invocations, _) = error else { Issue.record("\(error)"); return }
            #expect(requested == [Int(tooWide), 1, 1])
            #expect(maximum == context.device.maxComputeWorkGroupSize)
            #expect(invocations == context.device.maxComputeWorkGroupInvocations)
        }
        let elements = UInt32(context.device.maxComputeSharedMemorySize / 4 + 1)
        do {
            _ = try context.makePipeline(spirv: words, storageBuffers: 1, specialization: [0: 32, 2: .uint32(elements)])
            Issue.record("expected sharedMemoryTooSmall")
        } catch {
            guard case let .sharedMemoryTooSmall(needed, available, _) = error else { Issue.record("\(error)"); return }
            #expect(needed == Int(elements) * 4)
            #expect(available == context.device.maxComputeSharedMemorySize)
        }
        do {
            _ = try context.makePipeline(spirv: words, entryPoint: "attention", storageBuffers: 1)
            Issue.record("expected entryPointNotFound")
        } catch {
            guard case let .entryPointNotFound(name, available) = error else { Issue.record("\(error)"); return }
            #expect(name == "attention" && available == ["main"])
        }
        #expect(throws: VulkanError.self) { try context.makePipeline(spirv: [1, 2, 3, 4, 5, 6], storageBuffers: 1) }
    }

    /// Measured fact (Mesa 22.3 lavapipe): one invocation silently stops after 65,535 loop
    /// iterations in total — no error, the shader just ends the loop. Emitters must keep every
    /// invocation's total trip count under `VulkanDeviceInfo.loopIterationLimit`.
    @Test func lavapipeLoopCap() throws {
        let context = try context()
        try #require(context.device.isLavapipe)
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.loopCounter), storageBuffers: 1, pushConstantBytes: 4)
        let output = try context.makeBuffer(count: 2, of: UInt32.self)
        _ = try context.dispatch(pipeline, buffers: [output], pushConstants: [UInt32(100_000)], groups: (x: 1, y: 1, z: 1))
        let count = try output.read(as: UInt32.self)[0]
        #expect(count < 100_000, "lavapipe ran all 100,000 iterations: the loop cap is gone")
        #expect(count == UInt32(context.device.loopIterationLimit!), "count \(count)")
        // Under the cap, the loop runs to the end.
        _ = try context.dispatch(pipeline, buffers: [output], pushConstants: [UInt32(60_000)], groups: (x: 1, y: 1, z: 1))
        #expect(try output.read(as: UInt32.self)[0] == 60_000)
    }

    /// A dispatch whose fence wait times out keeps its buffers alive after the caller drops
    /// them: the device may still write them (freeing lavapipe's host-heap memory under a
    /// running shader corrupted the heap).
    @Test func timedOutDispatchesKeepTheirBuffers() throws {
        guard let lavapipe = VulkanDevices.lavapipe() else { Issue.record("lavapipe is not installed"); return }
        let context = try VulkanContext(device: lavapipe, pipelineCache: .disabled, fenceTimeoutSeconds: 1e-6)
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.loopCounter), storageBuffers: 1, pushConstantBytes: 4)
        weak var dropped: VulkanBuffer?
        do {
            let output = try context.makeBuffer(count: 2, of: UInt32.self)
            dropped = output
            do {
                _ = try context.dispatch(pipeline, buffers: [output], pushConstants: [UInt32(60_000)], groups: (x: 2048, y: 1, z: 1))
                Issue.record("a dispatch of 2048 x 60,000 loop iterations finished within a microsecond")
            } catch .timeout {
            } catch {
                Issue.record("expected a timeout: \(error)")
            }
        }
        #expect(dropped != nil, "the timed-out dispatch's buffer was freed while the device may still write it")
        #expect(context.handles.abandoned.withLock { $0.count } == 1)
    }

    @Test func concurrentDispatchesOnOneContext() async throws {
        let context = try context()
        let pipeline = try context.makePipeline(spirv: try spirv(Shaders.doubleIt), storageBuffers: 2, pushConstantBytes: 4)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let n = 256
                    let x = try context.makeBuffer((0..<n).map { Float($0 + task) })
                    let y = try context.makeBuffer(count: n, of: Float.self)
                    _ = try context.dispatch(pipeline, buffers: [x, y], pushConstants: [UInt32(n)], groups: (x: 4, y: 1, z: 1))
                    return try y.read(as: Float.self) == (0..<n).map { 2 * Float($0 + task) }
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
