import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Testing

@Suite struct OpenCLConcurrencyTests {
    /// Several tasks share one runtime (one OpenCL context, program cache and queue) and run
    /// different specs at the same time; every result must still match the reference.
    @Test func oneRuntimeManyTasksDifferentSpecs() async throws {
        let runtime = AttentionRuntime(backend: try SharedOpenCL.get())
        let specs: [AttentionSpec] = [
            try AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [40]).masked(.causal).tiled(query: [16], key: [16]).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [1], keyTokens: [300]).tiled(query: [16], key: [32])
                .scheduled(.lean(workgroups: 5)).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [9, 10]).masked(.neighborhood(window: [3, 5], stride: [1, 2]))
                .tiled(query: [4, 4], key: [4, 4]).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [33], dtype: .float16).masked(.slidingWindow(left: 7, right: 2))
                .tiled(query: [16], key: [8]).scheduled(.splitKV(splits: 3)).validated(),
            // A one-row last query tile whose split holds a single key: loads that leave most
            // work-items idle, with 16-bit storage (once read wrong values on PoCL).
            try AttentionSpec.attention(heads: 2, headDim: 48, tokens: [33], dtype: .bfloat16).masked(.slidingWindow(left: 7, right: 2))
                .tiled(query: [16], key: [8]).scheduled(.splitKV(splits: 3)).validated(),
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<2 {
                for (n, spec) in specs.enumerated() {
                    group.addTask {
                        let inputs = try randomInputs(spec, seed: UInt64(10 * round + n))
                        let result = try await runtime.attention(spec, q: inputs.q, k: inputs.k, v: inputs.v)
                        let report = ToleranceRule().check(result, for: inputs)
                        #expect(report.passed, "\(spec.summary): \(report)")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
