import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// FlashAttention's rule on every backend: NaN in, NaN out. A row whose scores are all NaN
/// (NaN in its q, or in the only key it sees) once came out 0 with lse −inf, as if masked.
@Suite struct NonFiniteTests {
    /// Query i sees keys i-2 ... i: query 0 sees key 0 alone.
    static let base = try! AttentionSpec.attention(heads: 2, headDim: 8, tokens: [20]).masked(.slidingWindow(left: 2, right: 0))
        .tiled(query: [8], key: [8])

    enum Poison: String, CaseIterable, Sendable { case query, key, value }

    /// Inputs with one NaN at token `token` of head 0 in `tensor`, and the rows that must be NaN.
    static func poisoned(_ spec: AttentionSpec, _ poison: Poison) throws -> (AttentionInputs, Set<Int>) {
        let clean = try randomInputs(spec, seed: 5)
        var (q, k, v) = (clean.q.elements, clean.k.elements, clean.v.elements)
        let token = poison == .query ? 5 : 0
        switch poison {
        case .query: q[token * 2 * 8] = .nan
        case .key: k[token * 2 * 8] = .nan
        case .value: v[token * 2 * 8] = .nan
        }
        let p = spec.problem
        let inputs = try AttentionInputs(
            spec: spec, q: Tensor(shape: p.queryTensorShape, elements: q), k: Tensor(shape: p.keyTensorShape, elements: k),
            v: Tensor(shape: p.valueTensorShape, elements: v))
        // lse rows are [token, head]: head 0 of the poisoned query, or of every query that sees key 0.
        let rows: Set<Int> = poison == .query ? [token * 2] : [0, 2, 4]
        return (inputs, rows)
    }

    @Test(arguments: Poison.allCases)
    func nanPropagatesAlikeOnEveryBackend(_ poison: Poison) throws {
        let runtimes = try ScheduleExtremesTests.runtimes() + [try AttentionRuntime(.reference)]
        for schedule in [Schedule.flash, .splitKV(splits: 3), .lean(workgroups: 4)] {
            let spec = try Self.base.scheduled(schedule).validated()
            let (inputs, nanRows) = try Self.poisoned(spec, poison)
            for runtime in runtimes {
                let result = try runtime.run(inputs)
                // NaN in one value element reaches only that output element; NaN in a score, the whole row.
                let lseNaN = Set(result.lse.elements.indices.filter { result.lse.elements[$0].isNaN })
                #expect(lseNaN == (poison == .value ? [] : nanRows), "\(result.backendName), \(spec.summary), NaN in \(poison)")
                let outputNaN = Set(result.output.elements.indices.filter { result.output.elements[$0].isNaN })
                let expected = nanRows.flatMap { row in poison == .value ? [row * 8] : Array((row * 8)..<(row * 8 + 8)) }
                let report = ToleranceRule().check(result, for: inputs)
                #expect(report.description.contains("inputs are not finite") && report.nonFiniteInputs == 1)
                if poison == .value {
                    // Known limit: a NaN value also reaches rows that hide its key inside a visited
                    // tile (P = 0 times NaN), as in FlashAttention; which rows depends on the tiling.
                    #expect(outputNaN.isSuperset(of: expected), "\(result.backendName), \(spec.summary)")
                } else {
                    #expect(outputNaN == Set(expected), "\(result.backendName), \(spec.summary), NaN in \(poison)")
                    #expect(report.passed, "\(result.backendName), \(spec.summary): \(report)")
                }
            }
        }
    }
}
