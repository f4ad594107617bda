import Foundation
import SPIRVCompiler
import Testing
@testable import VulkanRuntime

@Suite struct PipelineCacheTests {
    @Test func secondCreationIsACacheHit() throws {
        let lavapipe = try #require(VulkanDevices.lavapipe())
        let context = try VulkanContext(device: lavapipe, pipelineCache: .disabled)
        let words = try spirv(Shaders.vectorAdd)
        let first = try context.makePipeline(spirv: words, storageBuffers: 3, pushConstantBytes: 8)
        let second = try context.makePipeline(spirv: words, storageBuffers: 3, pushConstantBytes: 8)
        #expect(first === second)
        #expect(context.cacheHits == 1)
        #expect(context.cacheMisses == 1)
        // Another specialization or interface is another pipeline.
        let other = try context.makePipeline(spirv: try spirv(Shaders.specialized), storageBuffers: 1, specialization: [0: 16])
        let otherSpec = try context.makePipeline(spirv: try spirv(Shaders.specialized), storageBuffers: 1, specialization: [0: 32])
        #expect(other !== otherSpec)
        #expect(context.cacheMisses == 3)
    }

    @Test func diskCacheRoundTripAndCorruptFile() throws {
        let lavapipe = try #require(VulkanDevices.lavapipe())
        let location = VulkanPipelineCacheLocation.temporary()
        let folder = try #require(location.path)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let words = try spirv(Shaders.groupSum)

        do {
            let first = try VulkanContext(device: lavapipe, pipelineCache: location)
            #expect(!first.cacheStatistics.diskLoaded)
            _ = try first.makePipeline(spirv: words, storageBuffers: 2)
            #expect(first.cacheStatistics.diskWrites >= 1)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".vkpipelinecache") }
        #expect(files.count == 1)

        do {
            let second = try VulkanContext(device: lavapipe, pipelineCache: location)
            #expect(second.cacheStatistics.diskLoaded)
            #expect(second.cacheStatistics.diskBytesLoaded >= 32)
            #expect(second.cacheStatistics.diskRejected == 0)
            _ = try second.makePipeline(spirv: words, storageBuffers: 2)
        }

        // Corrupt the file: it is ignored (counted), the context works, and it is rewritten.
        let path = folder + "/" + files[0]
        try Data("not a pipeline cache".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let third = try VulkanContext(device: lavapipe, pipelineCache: location)
            #expect(third.cacheStatistics.diskRejected == 1)
            #expect(!third.cacheStatistics.diskLoaded)
            let pipeline = try third.makePipeline(spirv: words, storageBuffers: 2)
            let input = try third.makeBuffer([Float](repeating: 1, count: 64))
            let output = try third.makeBuffer(count: 1, of: Float.self)
            _ = try third.dispatch(pipeline, buffers: [input, output], groups: (x: 1, y: 1, z: 1))
            #expect(try output.read(as: Float.self) == [64])
        }
        // A truncated valid file is rejected too.
        let valid = try #require(FileManager.default.contents(atPath: path))
        try valid.prefix(valid.count - 3).write(to: URL(fileURLWithPath: path))
        let fourth = try VulkanContext(device: lavapipe, pipelineCache: location)
        #expect(fourth.cacheStatistics.diskRejected == 1)
    }

    @Test func userDefaultLocationFollowsXDG() {
        guard case .directory(let path) = VulkanPipelineCacheLocation.userDefault else {
            Issue.record("userDefault is not a directory")
            return
        }
        #expect(path.hasSuffix("/attentiongen/vulkan"))
    }

    /// Timings (printed): first compile, compile after init, pipeline creation, first dispatch
    /// (lavapipe JITs the shader there), second dispatch, cached makePipeline.
    @Test func timings() throws {
        let context = try context()
        let unique = Shaders.vectorAdd.replacingOccurrences(of: "pc.scale *", with: "pc.scale * 1.0 *")
        let t0 = Date()
        let words = try SPIRVCompiler.compile(glsl: unique, name: "timing")
        let compile = Date().timeIntervalSince(t0)
        let t1 = Date()
        let pipeline = try context.makePipeline(spirv: words, storageBuffers: 3, pushConstantBytes: 8)
        let creation = Date().timeIntervalSince(t1)
        let a = try context.makeBuffer([Float](repeating: 1, count: 1024))
        let c = try context.makeBuffer(count: 1024, of: Float.self)
        var push = VulkanPushConstants()
        push.append(UInt32(1024))
        push.append(Float(1))
        let first = try context.dispatchSequence([VulkanDispatch(pipeline, buffers: [a, a, c], pushConstants: push, groups: (x: 16, y: 1, z: 1))])
        let second = try context.dispatchSequence([VulkanDispatch(pipeline, buffers: [a, a, c], pushConstants: push, groups: (x: 16, y: 1, z: 1))])
        let t2 = Date()
        _ = try context.makePipeline(spirv: words, storageBuffers: 3, pushConstantBytes: 8)
        let cached = Date().timeIntervalSince(t2)
        let stats = SPIRVCompiler.statistics
        print("""
        [timings] glslang init \(stats.initializationSeconds.map { "\($0 * 1e3) ms" } ?? "?"); \
        first compile of the process \(stats.firstCompileSeconds.map { "\($0 * 1e3) ms" } ?? "?"); \
        this compile \(compile * 1e3) ms; vkCreateComputePipelines \(creation * 1e3) ms; \
        first dispatch \(first); second dispatch \(second); cached makePipeline \(cached * 1e6) µs
        """)
        #expect(try c.read(as: Float.self).allSatisfy { $0 == 2 })
    }
}
