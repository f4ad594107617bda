import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Foundation
import Testing

/// Softcap and ALiBi on every backend of this machine, forward and backward, against the
/// float64 reference: causal with fully masked rows, sliding windows, neighborhoods, GQA with
/// ragged edges, 16-bit storage, split-KV and lean, decode (GQA packing on the CPU), inputs ×1
/// and ×100.
@Suite struct ScoreModifierTests {
    static let specs: [AttentionSpec] = [
        try! AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 32, tokens: [37], keyTokens: [53]).masked(.causal)
            .tiled(query: [16], key: [8]).softcapped(5).validated(),
        try! AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [40], dtype: .bfloat16)
            .masked(.slidingWindow(left: 12, right: 4)).tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 2)).alibi().validated(),
        // Sq > Sk, bottom-right causal: the first 12 query rows see no key.
        try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [20], keyTokens: [8]).masked(.causal)
            .tiled(query: [8], key: [4]).scheduled(.lean(workgroups: 5)).softcapped(2).alibi(slopes: [0.75, -0.25]).validated(),
        try! AttentionSpec.attention(heads: 3, kvHeads: 1, headDim: 16, tokens: [45], dtype: .float16)
            .masked(try! .neighborhood(window: [9], stride: [2], dilation: [2], causal: [false])).tiled(query: [8], key: [16])
            .softcapped(2).alibi().validated(),
        try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 32, tokens: [11, 13])
            .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
            .tiled(query: [4, 4], key: [2, 8]).scheduled(.lean(workgroups: 5)).softcapped(3).validated(),
        try! AttentionSpec.attention(heads: 8, kvHeads: 2, headDim: 128, tokens: [1], keyTokens: [300])
            .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 7)).softcapped(3).alibi().validated(),
        // Dense GQA decode with a softcap only: the interpreter packs the query heads of a kv head.
        try! AttentionSpec.attention(heads: 8, kvHeads: 2, headDim: 64, tokens: [2], keyTokens: [150])
            .tiled(query: [16], key: [32]).softcapped(1).validated(),
    ]

    @Test(arguments: [Float(1), 100])
    func forwardMatchesTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkForward(Self.specs, seed: 900, amplitude: amplitude)
    }

    @Test(arguments: [Float(1), 100])
    func gradientsMatchTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkGradients(Self.specs, seed: 950, amplitude: amplitude)
    }

    /// The sweep would pass vacuously if a backend ignored the modifiers and the reference did
    /// too: the modified outputs must differ from the plain ones by far more than the bound (~1e-5).
    @Test func theModifiersChangeTheResult() throws {
        for spec in Self.specs {
            var plain = spec
            plain.scores = .none
            let inputs = try randomInputs(spec, seed: 5)
            let modified = NaiveAttention.compute(spec, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, as: Double.self)
            let unmodified = NaiveAttention.compute(plain, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, as: Double.self)
            let difference = zip(modified.output, unmodified.output).map { abs($0 - $1) }.max() ?? 0
            #expect(difference > 1e-3, "\(spec.summary): the modifiers moved the output by only \(difference)")
        }
    }

    /// One query, two keys, by hand: softcap 1 on scores (0, 2·scale·…) then ALiBi.
    @Test func referenceFollowsTheFormula() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 1, tokens: [1], keyTokens: [3], scale: 1)
            .softcapped(2).alibi(slopes: [0.5]).validated()
        let q: [Float] = [1], k: [Float] = [1, 2, -3], v: [Float] = [10, 20, 30]
        let result = NaiveAttention.compute(spec, q: q, k: k, v: v, as: Double.self)
        // Query 0 sits at position 0 + 3 − 1 = 2: distances 2, 1, 0.
        let scores = zip([1.0, 2, -3], [2.0, 1, 0]).map { s, distance in 2 * Foundation.tanh(s / 2) - 0.5 * distance }
        let weights = scores.map { Foundation.exp($0) }
        let expected = zip(weights, [10.0, 20, 30]).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
        #expect(abs(result.output[0] - expected) < 1e-12)
        #expect(abs(result.lse[0] - Foundation.log(weights.reduce(0, +))) < 1e-12)
    }
}
