import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Foundation
import Testing

@Suite struct ReferenceTests {
    private func run(_ spec: AttentionSpec, _ q: Tensor, _ k: Tensor, _ v: Tensor) throws -> AttentionResult {
        try AttentionRuntime(backend: ReferenceBackend()).attention(spec, q: q, k: k, v: v)
    }

    /// One query, two keys, by hand: scores s = scale·q·k, weights softmax(s), output Σ w·v.
    @Test func tinyCaseByHand() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 2, tokens: [1], keyTokens: [2], scale: 0.5).validated()
        let q = try Tensor(shape: [1, 1, 1, 2], elements: [1, 2])
        let k = try Tensor(shape: [1, 2, 1, 2], elements: [1, 0, 0, 1])
        let v = try Tensor(shape: [1, 2, 1, 2], elements: [10, 0, 0, 10])
        let result = try run(spec, q, k, v)
        let (s0, s1) = (0.5, 1.0)
        let lse = log(exp(s0) + exp(s1))
        #expect(abs(Double(result.lse.elements[0]) - lse) < 1e-6)
        #expect(abs(Double(result.output.elements[0]) - 10 * exp(s0 - lse)) < 1e-5)
        #expect(abs(Double(result.output.elements[1]) - 10 * exp(s1 - lse)) < 1e-5)
    }

    /// GQA: every query head of a group reads its group's key/value head, and the default scale
    /// is 1/sqrt(headDim). Checked against a direct per-head computation.
    @Test func groupedQueryHeadsReadTheirKVHead() throws {
        var rng = SeededGenerator(seed: 5)
        let spec = try AttentionSpec.attention(batch: 2, heads: 6, kvHeads: 2, headDim: 4, tokens: [3], keyTokens: [5]).validated()
        let p = spec.problem
        let q = Tensor.random(shape: p.queryTensorShape, using: &rng)
        let k = Tensor.random(shape: p.keyTensorShape, using: &rng)
        let v = Tensor.random(shape: p.valueTensorShape, using: &rng)
        let result = try run(spec, q, k, v)
        for b in 0..<2 {
            for i in 0..<3 {
                for h in 0..<6 {
                    let kvh = h / 3
                    let scores = (0..<5).map { j in
                        (0..<4).map { Double(q[[b, i, h, $0]]) * Double(k[[b, j, kvh, $0]]) }.reduce(0, +) / 2
                    }
                    let m = scores.max()!
                    let sum = scores.map { exp($0 - m) }.reduce(0, +)
                    for x in 0..<4 {
                        let expected = (0..<5).map { exp(scores[$0] - m) / sum * Double(v[[b, $0, kvh, x]]) }.reduce(0, +)
                        #expect(abs(Double(result.output[[b, i, h, x]]) - expected) < 1e-6)
                    }
                    #expect(abs(Double(result.lse[[b, i, h]]) - (m + log(sum))) < 1e-5)
                }
            }
        }
    }

    @Test func fullyMaskedRowsGiveZeroAndNegativeInfinity() throws {
        // Causal with more queries than keys: the first Sq - Sk queries see nothing.
        var rng = SeededGenerator(seed: 6)
        let spec = try AttentionSpec.attention(heads: 2, headDim: 8, tokens: [6], keyTokens: [4]).masked(.causal).validated()
        let p = spec.problem
        let result = try run(
            spec, .random(shape: p.queryTensorShape, using: &rng), .random(shape: p.keyTensorShape, using: &rng),
            .random(shape: p.valueTensorShape, using: &rng))
        for i in 0..<6 {
            for h in 0..<2 {
                let lse = result.lse[[0, i, h]]
                if i < 2 {
                    #expect(lse == -.infinity)
                    #expect((0..<8).allSatisfy { result.output[[0, i, h, $0]] == 0 })
                } else {
                    #expect(lse.isFinite)
                }
            }
        }
    }

    @Test func bottomRightCausalWithMoreKeysMatchesPrefixAttention() throws {
        // Query i of 2 over 5 keys sees keys 0...i+3: the same as dense attention over that prefix.
        var rng = SeededGenerator(seed: 8)
        let causal = try AttentionSpec.attention(heads: 1, headDim: 4, tokens: [2], keyTokens: [5]).masked(.causal).validated()
        let p = causal.problem
        let (q, k, v) = (
            Tensor.random(shape: p.queryTensorShape, using: &rng), Tensor.random(shape: p.keyTensorShape, using: &rng),
            Tensor.random(shape: p.valueTensorShape, using: &rng)
        )
        let result = try run(causal, q, k, v)
        let prefix = try AttentionSpec.attention(heads: 1, headDim: 4, tokens: [1], keyTokens: [4]).validated()
        let q0 = try Tensor(shape: [1, 1, 1, 4], elements: Array(q.elements[0..<4]))
        let k4 = try Tensor(shape: [1, 4, 1, 4], elements: Array(k.elements[0..<16]))
        let v4 = try Tensor(shape: [1, 4, 1, 4], elements: Array(v.elements[0..<16]))
        let expected = try run(prefix, q0, k4, v4)
        for x in 0..<4 { #expect(abs(result.output.elements[x] - expected.output.elements[x]) < 1e-6) }
    }

    @Test func shapeMismatchNamesTheTensor() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 8, tokens: [4]).validated()
        let good = Tensor(zeros: [1, 4, 2, 8])
        do {
            _ = try run(spec, good, Tensor(zeros: [1, 4, 2, 7]), good)
            Issue.record("expected a shape error")
        } catch {
            #expect("\(error)".contains("k: expected shape [1, 4, 2, 8]"))
        }
    }

    @Test func storageRoundingToHalfAndBFloat() {
        #expect(ElementType.float16.rounded(1.0 + 1.0 / 4096) == 1.0)
        #expect(ElementType.bfloat16.rounded(1.0 + 1.0 / 512) == 1.0)
        #expect(ElementType.bfloat16.rounded(1.0 + 3.0 / 256) == 1.0 + 1.0 / 64)
        #expect(ElementType.float16.rounded(70000) == .infinity)
    }

    /// Whole tensors: one inexact element anywhere (past the first scan block; in the last part
    /// when a large tensor is scanned on several cores) is rounded; a tensor already in the type
    /// comes back unchanged.
    @Test(arguments: [ElementType.float16, .bfloat16], [[3, 5000], [3, 1 << 20]])
    func tensorRoundingFindsALateInexactElement(type: ElementType, shape: [Int]) throws {
        var rng = SeededGenerator(seed: 3)
        let exact = type.rounded(Tensor.random(shape: shape, using: &rng))
        #expect(exact.elements.allSatisfy { type.rounded($0) == $0 })
        #expect(type.rounded(exact) == exact)
        let late = exact.count - 1000
        var inexact = exact
        inexact.elements[late] = 1.0 + 1.0 / 8192
        let rounded = type.rounded(inexact)
        #expect(rounded.elements[late] == 1.0)
        #expect(rounded.elements.indices.allSatisfy { $0 == late || rounded.elements[$0] == exact.elements[$0] })
        var inPlace = inexact
        type.round(&inPlace)
        #expect(inPlace == rounded)
    }

    /// Inputs a 16-bit spec's type cannot hold are rounded on the way in, so a call with raw
    /// floats equals, bit for bit, the call with the same floats rounded by the caller.
    @Test(arguments: [ElementType.float16, .bfloat16]) func rawInputsAreRoundedToTheStorageType(type: ElementType) throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [20], dtype: type).masked(.causal).validated()
        let p = spec.problem
        var rng = SeededGenerator(seed: 5)
        let q = Tensor.random(shape: p.queryTensorShape, using: &rng)
        let k = Tensor.random(shape: p.keyTensorShape, using: &rng)
        let v = Tensor.random(shape: p.valueTensorShape, using: &rng)
        let raw = try AttentionInputs(spec: spec, q: q, k: k, v: v)
        #expect(raw.q != q && raw.q == type.rounded(q))
        let rounded = try AttentionInputs(spec: spec, q: type.rounded(q), k: type.rounded(k), v: type.rounded(v))
        #expect(try CPUBackend().run(raw).output == CPUBackend().run(rounded).output)
    }

    @Test func toleranceRuleAcceptsTheReferenceAndRejectsAPerturbation() throws {
        var rng = SeededGenerator(seed: 11)
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [20]).masked(.causal).validated()
        let p = spec.problem
        let inputs = try AttentionInputs(
            spec: spec, q: .random(shape: p.queryTensorShape, amplitude: 100, using: &rng),
            k: .random(shape: p.keyTensorShape, using: &rng), v: .random(shape: p.valueTensorShape, using: &rng))
        var result = try ReferenceBackend().run(inputs)
        #expect(ToleranceRule().check(result, for: inputs).passed)
        result.output.elements[7] += 1e-3
        #expect(!ToleranceRule().check(result, for: inputs).passed)
    }
}
