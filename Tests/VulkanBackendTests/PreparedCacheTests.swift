import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Testing

/// Prepared kernels are cached: a repeated spec is not planned, emitted or compiled again, and
/// specs that share a configuration share one glslang compilation.
@Suite(.serialized) struct PreparedCacheTests {
    @Test func repeatedSpecsCompileOncePerConfiguration() throws {
        let backend = try VulkanBackend(device: .preferred, pipelineCache: .disabled)
        // Head dim 40 and these tiles: a configuration no other test compiles.
        let spec = try AttentionSpec.attention(heads: 2, headDim: 40, tokens: [30]).masked(.causal).tiled(query: [8], key: [8]).validated()
        for seed in 1...3 {
            let inputs = try randomInputs(spec, seed: UInt64(seed))
            #expect(ToleranceRule().check(try backend.run(inputs), for: inputs).passed)
        }
        #expect(backend.prepared.statistics == .init(builds: 1, hits: 2))
        let text = try #require(try backend.prepare(randomInputs(spec, seed: 1)).layout.shaderTexts.first)
        #expect(SPIRVCache.compilations(of: text) == 1, "one shader, compiled once for three calls")

        // Other run-time sizes, the same compile-time constants: a new layout, no new compilation.
        let resized = try AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 40, tokens: [29], keyTokens: [37])
            .masked(.causal).tiled(query: [8], key: [8]).validated()
        let inputs = try randomInputs(resized, seed: 4)
        #expect(ToleranceRule().check(try backend.run(inputs), for: inputs).passed)
        #expect(backend.prepared.statistics.builds == 2)
        #expect(try backend.prepare(inputs).layout.shaderTexts.first == text, "the same configuration, the same shader")
        #expect(SPIRVCache.compilations(of: text) == 1)
    }
}
