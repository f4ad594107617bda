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

/// Generated GLSL on lavapipe (a real Vulkan 1.3 device on the CPU). llvmpipe's JIT takes
/// seconds for shaders with 16-row query tiles but minutes for 64-row tiles (the unrolled tile
/// loops grow with the tile; measured with Mesa's shader cache off: decode specs 6–9 s,
/// dense-causal-1d and block-sparse-1d over 200 s), so those run only with
/// ATTNGEN_SLOW_VULKAN_TESTS=1.
@Suite struct VulkanBackendTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized
    static let slowTestsEnabled = ProcessInfo.processInfo.environment["ATTNGEN_SLOW_VULKAN_TESTS"] == "1"

    @Test(arguments: ["decode-gqa-lean", "decode-gqa-splitkv"])
    func catalogueSpecsMatchTheReference(name: String) throws {
        try check(AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent("\(name).json")), seed: 3)
    }

    @Test(.enabled(if: slowTestsEnabled, "set ATTNGEN_SLOW_VULKAN_TESTS=1: minutes of llvmpipe JIT per shader"),
          arguments: ["dense-causal-1d", "block-sparse-1d", "sliding-window-1d", "gna-blocked-2d", "neighborhood-2d-dilated", "neighborhood-3d-causal"])
    func slowCatalogueSpecsMatchTheReference(name: String) throws {
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
        let spec = try AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent("decode-gqa-lean.json"))
        let backend = try SharedVulkan.backend.get()
        try check(spec, seed: 8)
        let hits = backend.context.cacheStatistics.hits
        try check(spec, seed: 9)
        #expect(backend.context.cacheStatistics.hits > hits)
    }
}
