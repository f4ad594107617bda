import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

@Suite struct MixedBackendConcurrencyTests {
    /// Many tasks share runtimes on every backend of this machine (interpreter, reference, PoCL,
    /// lavapipe when present) and run different specs at the same time, twice over (the second
    /// round hits the program and pipeline caches), plus a runtime whose
    /// primary fails and retries on the interpreter; every output must pass the tolerance rule.
    @Test func sharedRuntimesMixedSpecsAndBackends() async throws {
        var runtimes: [AttentionRuntime] = [
            try AttentionRuntime(.auto, environment: [:]),
            try AttentionRuntime(.reference),
            AttentionRuntime(backend: FailingBackend(), fallbacks: [CPUBackend()], failurePolicy: .retryOnNextBackend),
        ]
        // Every device API this machine offers (PoCL and lavapipe in CI), forced by name.
        let inventory = DeviceInventory.probe()
        for (request, devices) in [(BackendRequest.opencl(device: nil), inventory.opencl), (.vulkan(device: nil), inventory.vulkan)] {
            if case .devices = devices { runtimes.append(try AttentionRuntime(request, environment: [:])) }
        }
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
        let jobs = (0..<2).flatMap { round in
            runtimes.enumerated().flatMap { r, runtime in
                specs.enumerated().map { s, spec in (seed: UInt64(1000 * round + 100 * r + s), runtime: runtime, spec: spec) }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for job in jobs {
                group.addTask {
                    let inputs = try randomInputs(job.spec, seed: job.seed)
                    let result = try await job.runtime.attention(job.spec, q: inputs.q, k: inputs.k, v: inputs.v)
                    let report = ToleranceRule().check(result, for: inputs)
                    #expect(report.passed, "\(job.runtime.selection.chosen.device), \(job.spec.summary): \(report)")
                    let expected = job.runtime.backend.name == "flaky-gpu" ? "cpu" : job.runtime.backend.name
                    #expect(result.backendName == expected)
                }
            }
            try await group.waitForAll()
        }
    }
}
