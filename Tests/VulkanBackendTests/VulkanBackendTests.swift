import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Foundation
import Testing
import VulkanRuntime

/// One backend (one context and pipeline cache) for every test; the pipeline cache stays in memory.
enum SharedVulkan {
    static let backend: Result<VulkanBackend, AttentionError> = Result { () throws(AttentionError) in
        try VulkanBackend(device: .preferred, pipelineCache: .disabled)
    }
}

private func check(_ spec: AttentionSpec, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = SeededGenerator(seed: seed)
    let p = spec.problem
    let inputs = try AttentionInputs(
        spec: spec, q: .random(shape: p.queryTensorShape, using: &rng), k: .random(shape: p.keyTensorShape, using: &rng),
        v: .random(shape: p.valueTensorShape, using: &rng))
    let result = try SharedVulkan.backend.get().run(inputs)
    let report = ToleranceRule().check(result, for: inputs)
    #expect(report.passed, "\(spec.summary): \(report)", sourceLocation: sourceLocation)
}

/// Generated GLSL on lavapipe (a real Vulkan 1.3 device on the CPU). Only specs whose shaders
/// lavapipe JIT-compiles in seconds run here: shaders with sliding-window and neighborhood
/// masks currently take about a minute each to compile on llvmpipe (see the README).
@Suite struct VulkanBackendTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized

    @Test(arguments: ["dense-causal-1d", "decode-gqa-lean", "decode-gqa-splitkv", "block-sparse-1d"])
    func catalogueSpecsMatchTheReference(name: String) throws {
        try check(AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent("\(name).json")), seed: 3)
    }

    /// 4096 keys for one query: a shader that looped over every key and head-dimension element
    /// in one invocation would pass lavapipe's 65,535-iteration cap and be cut off silently.
    @Test func longContextStaysUnderTheLoopCap() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [1], keyTokens: [4096]).tiled(query: [16], key: [64]).validated()
        try check(spec, seed: 4)
    }

    @Test func configurationsOverTheLoopCapAreRefused() throws {
        let backend = try SharedVulkan.backend.get()
        guard backend.context.device.isLavapipe else { return }
        let spec = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [1], keyTokens: [1 << 20]).tiled(query: [16], key: [64]).validated()
        let inputs = try AttentionInputs(
            spec: spec, q: Tensor(zeros: spec.problem.queryTensorShape), k: Tensor(zeros: spec.problem.keyTensorShape),
            v: Tensor(zeros: spec.problem.valueTensorShape))
        do {
            _ = try backend.prepare(inputs)
            Issue.record("expected the loop cap to refuse this configuration")
        } catch {
            #expect(error.description.contains("over the device's cap of 65535"))
        }
    }

    @Test func secondRunHitsThePipelineCache() throws {
        let spec = try AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent("dense-causal-1d.json"))
        let backend = try SharedVulkan.backend.get()
        try check(spec, seed: 8)
        let hits = backend.context.cacheStatistics.hits
        try check(spec, seed: 9)
        #expect(backend.context.cacheStatistics.hits > hits)
    }
}
