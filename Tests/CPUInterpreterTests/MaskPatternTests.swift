import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
@testable import CPUInterpreter
import Testing

/// PARTIAL visits masked by bits evaluated once per plan (`MaskPatterns`) must hide exactly the
/// keys the predicate hides: bit for bit the same run as masking every visit as it goes.
@Suite struct MaskPatternTests {
    static let specs: [AttentionSpec] = {
        let lengths = VariableLengths(queryLengths: [5, 33, 1], keyLengths: [40, 33, 70], left: 9, right: 0)
        let layout = BlockSparseLayout(
            queryBlock: [16], keyBlock: [16], kvIndices: [[0], [1], [0, 2], [3]], fullIndices: [[], [0], [], [1]], causal: true)
        return [
            try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [21, 19])
                .masked(.neighborhood(window: [7, 5], dilation: [1, 2], causal: [false, true])).tiled(query: [8, 8], key: [8, 8]).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 16, tokens: [6, 7, 9])
                .masked(.neighborhood(window: [3, 4, 5], stride: [1, 2, 5], causal: [true, false, false])).tiled(query: [2, 2, 4], key: [2, 4, 2])
                .validated(),
            try! AttentionSpec.attention(heads: 3, kvHeads: 1, headDim: 24, tokens: [70]).masked(.causal).tiled(query: [16], key: [32])
                .scheduled(.splitKV(splits: 2)).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [50]).masked(.slidingWindow(left: 7, right: 3)).tiled(query: [8], key: [8])
                .scheduled(.lean(workgroups: 5)).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 64, tokens: [64]).masked(.blockSparse(layout)).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [39], keyTokens: [143]).masked(.varlen(lengths)).tiled(query: [8], key: [16])
                .validated(),
        ]
    }()

    @Test(arguments: specs)
    func sameBitsAsThePredicateOnEveryVisit(spec: AttentionSpec) throws {
        let operands = randomOperands(spec, seed: 11)
        let kept = try CPUInterpreter(spec: spec, headLockstep: true)
        let evaluated = try CPUInterpreter(spec: spec, headLockstep: true, maskPatternBudget: 0)
        #expect(kept.maskPatterns() != nil, "\(spec.summary): no patterns kept")
        #expect(evaluated.maskPatterns() == nil, "\(spec.summary): patterns past the budget")
        let (a, b) = (run(kept, operands), run(evaluated, operands))
        #expect(a.output.map(\.bitPattern) == b.output.map(\.bitPattern), "\(spec.summary)")
        #expect(a.lse.map(\.bitPattern) == b.lse.map(\.bitPattern), "\(spec.summary)")
    }

    /// Each pattern bit against `allows`, and the padding bits past a row's keys clear.
    @Test(arguments: specs)
    func bitsAreThePredicate(spec: AttentionSpec) throws {
        let interpreter = try CPUInterpreter(spec: spec)
        let patterns = try #require(interpreter.maskPatterns())
        for (tile, visits) in interpreter.visits.enumerated() {
            let queries = interpreter.queryRows[tile].tokens
            for (index, visit) in visits.enumerated() {
                guard let bits = patterns.pattern(tile, index) else {
                    #expect(visit.tileClass != .partial)
                    continue
                }
                let keys = interpreter.keys(tile, visit: index).tokens
                let words = MaskPatterns.rowWords(keys.count)
                for (r, query) in queries.enumerated() {
                    for j in 0..<(words * 16) {
                        let bit = (bits[r * words + j / 16] >> UInt16(j % 16)) & 1 == 1
                        #expect(bit == (j < keys.count && interpreter.predicate.allows(query: query, key: keys[j])), "tile \(tile) visit \(index) [\(r), \(j)]")
                    }
                }
            }
        }
    }

    /// The backward's passes read bits too (per key tile and visitor, per query tile and
    /// visit): the same gradients, bit for bit, as masking every pair with the predicate.
    @Test(arguments: CPUInterpreter.GradientDecomposition.allCases)
    func gradientsSameBitsAsThePredicate(decomposition: CPUInterpreter.GradientDecomposition) throws {
        for (n, spec) in Self.specs.enumerated() where spec.problem.pages == nil {
            let inputs = try randomGradientInputs(spec, seed: 40 + UInt64(n), amplitude: 3)
            let kept = CPUBackend.gradients(try CPUInterpreter(spec: spec, headLockstep: true), inputs, decomposition: decomposition)
            let evaluated = CPUBackend.gradients(
                try CPUInterpreter(spec: spec, headLockstep: true, maskPatternBudget: 0), inputs, decomposition: decomposition)
            #expect(kept == evaluated, "\(spec.summary)")
        }
    }
}
