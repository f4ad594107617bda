import AttentionPlan
import AttentionRuntime
import AttentionSimulator
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// Packed batches of sequences of different lengths (`AttentionMask.varlen`) on every backend,
/// forward and backward: empty sequences on either side, causal with more queries than keys
/// (fully masked rows), sliding windows, GQA, 16-bit storage, softcap, flash, split-KV and lean.
@Suite struct VariableLengthTests {
    static let specs: [AttentionSpec] = {
        let specs: [AttentionSpec] = [
        varlen(queries: [1, 20, 0, 3, 36], keys: [150, 20, 30, 0, 200], right: 0, heads: 4, kvHeads: 2, headDim: 32)
            .tiled(query: [16], key: [32]).scheduled(.lean(workgroups: 7)),
        varlen(queries: [17, 5, 30], keys: [9, 40, 30], left: 6, right: 2, heads: 2, headDim: 64, dtype: .bfloat16)
            .tiled(query: [8], key: [16]).scheduled(.splitKV(splits: 3)),
        varlen(queries: [12, 40], keys: [12, 40], heads: 3, kvHeads: 1, headDim: 16, dtype: .float16).tiled(query: [16], key: [16]),
        // Decode: one query per sequence over caches of very different lengths.
        varlen(queries: [1, 1, 1, 1], keys: [700, 3, 64, 129], right: 0, heads: 8, kvHeads: 2, headDim: 64)
            .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 5)).softcapped(4),
        // ALiBi measures from each sequence's own diagonal.
        varlen(queries: [1, 1, 1], keys: [90, 1, 300], right: 0, heads: 4, kvHeads: 2, headDim: 32)
            .tiled(query: [1], key: [32]).scheduled(.lean(workgroups: 4)).alibi(),
        varlen(queries: [9, 0, 25], keys: [20, 5, 25], left: 7, right: 3, heads: 2, headDim: 16, dtype: .float16)
            .tiled(query: [8], key: [8]).alibi(slopes: [0.5, -0.125]).softcapped(3),
        ]
        return specs.map { try! $0.validated() }
    }()

    static func varlen(
        queries: [Int], keys: [Int], left: Int = -1, right: Int = -1, heads: Int, kvHeads: Int? = nil, headDim: Int,
        dtype: ElementType = .float32
    ) -> AttentionSpec {
        AttentionSpec.attention(
            heads: heads, kvHeads: kvHeads, headDim: headDim, tokens: [queries.reduce(0, +)], keyTokens: [keys.reduce(0, +)], dtype: dtype)
            .masked(.varlen(VariableLengths(queryLengths: queries, keyLengths: keys, left: left, right: right)))
    }

    @Test(arguments: [Float(1), 100])
    func forwardMatchesTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkForward(Self.specs, seed: 1200, amplitude: amplitude)
    }

    @Test func gradientsMatchTheReferenceOnEveryBackend() throws {
        try EveryBackend.checkGradients(Self.specs, seed: 1250, amplitude: 1)
    }

    /// Each packed sequence gives what it gives alone: the varlen output equals one call per
    /// sequence, row for row (up to the tolerance rule; the reference sees only the packing).
    @Test(arguments: [0, 4])
    func aPackedSequenceMatchesItsOwnCall(index: Int) throws {
        let spec = Self.specs[index]
        guard case .varlen(let lengths) = spec.mask else { return }
        let inputs = try randomInputs(spec, seed: 3)
        let packed = NaiveAttention.compute(spec, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, as: Double.self)
        let p = spec.problem
        for b in 0..<lengths.sequences {
            let (q0, q1) = (lengths.queryOffsets[b], lengths.queryOffsets[b + 1])
            let (k0, k1) = (lengths.keyOffsets[b], lengths.keyOffsets[b + 1])
            guard q1 > q0, k1 > k0 else { continue }
            var alone = try AttentionSpec.attention(heads: p.heads, kvHeads: p.kvHeads, headDim: p.headDim, tokens: [q1 - q0], keyTokens: [k1 - k0])
                .masked(.causal).validated()
            alone.scores = spec.scores
            let (qRow, kRow) = (p.heads * p.headDim, p.kvHeads * p.headDim)
            let single = NaiveAttention.compute(
                alone, q: Array(inputs.q.elements[(q0 * qRow)..<(q1 * qRow)]), k: Array(inputs.k.elements[(k0 * kRow)..<(k1 * kRow)]),
                v: Array(inputs.v.elements[(k0 * kRow)..<(k1 * kRow)]), as: Double.self)
            let own = Array(packed.output[(q0 * qRow)..<(q1 * qRow)])
            #expect(zip(own, single.output).allSatisfy { abs($0 - $1) < 1e-12 }, "sequence \(b)")
        }
    }

    /// The point of stream-K on mixed lengths: lean spreads the true work of one long and many
    /// short sequences evenly over its grid, where split-KV's splits follow each sequence.
    @Test func leanBalancesAMixedBatchThatSplitKVDoesNot() throws {
        let keys = [8192] + Array(repeating: 256, count: 15)
        let base = Self.varlen(queries: Array(repeating: 1, count: 16), keys: keys, right: 0, heads: 8, kvHeads: 2, headDim: 128)
            .tiled(query: [1], key: [128])
        let lean = WorkPartition(plan: try TilePlan(base.scheduled(Schedule.lean(workgroups: 64)).validated()))
        let split = WorkPartition(plan: try TilePlan(base.scheduled(Schedule.splitKV(splits: 4)).validated()))
        func heaviest(_ partition: WorkPartition) -> Int {
            (0..<partition.workgroupCount).map { g in partition.segments(ofWorkgroup: g).reduce(0) { $0 + $1.visits.count } }.max() ?? 0
        }
        let total = (0..<lean.workgroupCount).reduce(0) { $0 + lean.segments(ofWorkgroup: $1).reduce(0) { $0 + $1.visits.count } }
        // 8 heads × (64 + 15·2) key tiles of true work, split evenly over 64 work-groups.
        #expect(total == 8 * (64 + 15 * 2))
        #expect(heaviest(lean) == (total + 63) / 64)
        #expect(heaviest(split) == 16, "split-KV: the long sequence's 64 tiles in 4 splits")
    }
}
