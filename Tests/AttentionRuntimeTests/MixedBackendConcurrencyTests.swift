import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Testing

@Suite struct MixedBackendConcurrencyTests {
    /// Many tasks share runtimes on every backend of this machine (interpreter, reference, PoCL,
    /// lavapipe when present) and run different specs at the same time, plus a runtime whose
    /// primary fails and retries on the interpreter; every output must pass the tolerance rule.
    @Test func sharedRuntimesMixedSpecsAndBackends() async throws {
        var runtimes: [AttentionRuntime] = [
            try AttentionRuntime(.auto, environment: [:]),
            try AttentionRuntime(.reference),
            AttentionRuntime(backend: FailingBackend(), fallbacks: [CPUBackend()], failurePolicy: .retryOnNextBackend),
        ]
        for request in [BackendRequest.opencl(device: nil), .vulkan(device: nil)] {
            if let runtime = try? AttentionRuntime(request) { runtimes.append(runtime) }
        }
        let specs: [AttentionSpec] = [
            try AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [40]).masked(.causal).tiled(query: [16], key: [16]).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [1], keyTokens: [300]).tiled(query: [16], key: [32])
                .scheduled(.lean(workgroups: 5)).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [9, 10]).masked(.neighborhood(window: [3, 5], stride: [1, 2]))
                .tiled(query: [4, 4], key: [4, 4]).validated(),
            try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [33], dtype: .float16).masked(.slidingWindow(left: 7, right: 2))
                .tiled(query: [16], key: [8]).scheduled(.splitKV(splits: 3)).validated(),
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (r, runtime) in runtimes.enumerated() {
                for (s, spec) in specs.enumerated() {
                    group.addTask {
                        let inputs = try randomInputs(spec, seed: UInt64(100 * r + s))
                        let result = try await runtime.attention(spec, q: inputs.q, k: inputs.k, v: inputs.v)
                        let report = ToleranceRule().check(result, for: inputs)
                        #expect(report.passed, "\(runtime.selection.chosen.device), \(spec.summary): \(report)")
                        #expect(result.backendName == (runtime.backend.name == "flaky-gpu" ? "cpu" : runtime.backend.name))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
