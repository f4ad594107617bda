import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// An additive bias tensor (`ScoreBias`) on every backend: per head, per batch entry and head,
/// shared; with causal masks (fully masked rows), GQA, 16-bit storage, softcap and ALiBi before
/// it, a 2-D neighborhood (flat tokens), flash, split-KV and lean; −∞ entries mask pairs.
@Suite struct ScoreBiasTests {
    static let specs: [AttentionSpec] = [
        AttentionSpec.attention(heads: 2, headDim: 32, tokens: [40], keyTokens: [24]).masked(.causal)
            .tiled(query: [16], key: [8]).biased(),
        AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 64, tokens: [3], keyTokens: [200], dtype: .float16)
            .tiled(query: [4], key: [64]).scheduled(.splitKV(splits: 3)).biased(perBatch: true, perHead: true),
        AttentionSpec.attention(heads: 4, kvHeads: 1, headDim: 16, tokens: [1], keyTokens: [300])
            .tiled(query: [1], key: [32]).scheduled(.lean(workgroups: 5)).biased(perHead: false).softcapped(5).alibi(),
        try! AttentionSpec.attention(heads: 2, headDim: 16, tokens: [8, 8], dtype: .bfloat16)
            .masked(.neighborhood(window: [3, 5])).tiled(query: [4, 4], key: [4, 4]).biased(perBatch: true, perHead: false),
    ].map { try! $0.validated() }

    @Test(arguments: [Float(1), 100])
    func forwardMatchesTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkForward(Self.specs, seed: 1800, amplitude: amplitude)
    }

    /// The interpreter and the reference compute the backward; the GPU backends refuse it
    /// (`unsupportedOnDevice`, so `auto` moves on to the CPU).
    @Test func gradientsMatchTheReferenceWhereTheyRun() throws {
        try EveryBackend.checkGradients(Self.specs, seed: 1850, amplitude: 1, refusals: Self.specs.count)
        let cpu = try AttentionRuntime(.cpu)
        for (n, spec) in Self.specs.enumerated() {
            let inputs = try randomGradientInputs(spec, seed: 1850 + UInt64(n))
            let report = ToleranceRule().check(try cpu.gradients(inputs), for: inputs)
            #expect(report.passed, "cpu, \(spec.summary): \(report)")
        }
    }

    /// A bias of −∞ masks its pairs: the biased dense spec equals the causal one where the bias
    /// is −∞ above the diagonal and 0 elsewhere, rows with nothing left included.
    @Test func negativeInfinityMasksPairs() throws {
        let p = AttentionProblem(heads: 2, headDim: 16, queryShape: [20], keyShape: [12])
        let biased = try AttentionSpec(problem: p).tiled(query: [8], key: [4]).biased(perHead: false).validated()
        let causal = try AttentionSpec(problem: p).masked(.causal).tiled(query: [8], key: [4]).validated()
        let plain = try randomInputs(causal, seed: 8)
        var bias = Tensor(zeros: [1, 1, 20, 12])
        for i in 0..<20 { for j in 0..<12 where j > i + 12 - 20 { bias.elements[i * 12 + j] = -.infinity } }
        let inputs = try AttentionInputs(spec: biased, q: plain.q, k: plain.k, v: plain.v, bias: bias)
        let exact = NaiveAttention.compute(causal, q: plain.q.elements, k: plain.k.elements, v: plain.v.elements, as: Double.self)
        for runtime in try EveryBackend.runtimes.get() {
            let result = try runtime.run(inputs)
            let error = zip(result.output.elements, exact.output).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(error < 1e-5, "\(result.backendName): \(error)")
            let lseMatches = zip(result.lse.elements, exact.lse).allSatisfy { $1 == -.infinity ? $0 == -.infinity : abs(Double($0) - $1) < 1e-5 }
            #expect(lseMatches, "\(result.backendName): masked rows keep lse −∞")
        }
    }

    @Test func aMissingOrUnexpectedBiasIsATypedError() throws {
        let spec = Self.specs[0]
        let inputs = try randomInputs(spec, seed: 1)
        for (bias, expected) in [(nil, "needs a bias tensor"), (Tensor(zeros: [1, 1, 40, 24]), "expected shape [1, 2, 40, 24]")] as [(Tensor?, String)] {
            do {
                _ = try AttentionInputs(spec: spec, q: inputs.q, k: inputs.k, v: inputs.v, bias: bias)
                Issue.record("accepted \(String(describing: bias?.shape))")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
        var plain = spec
        plain.scores.bias = nil
        do {
            _ = try AttentionInputs(spec: plain, q: inputs.q, k: inputs.k, v: inputs.v, bias: inputs.bias)
            Issue.record("accepted a bias for a spec without one")
        } catch {
            #expect(error.description.contains("has no scores.bias"), "\(error)")
        }
    }
}
