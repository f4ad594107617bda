import AttentionSpec

/// FlashAttention's GQA packing, for dense specs whose queries fit one query tile (decode and
/// short prompts) and for varlen decode (at most one query per sequence, no left window): the
/// query heads that share a kv head become rows of one tile of a spec with `kvHeads` heads and
/// `queryTokens · G` queries, so each K and V row is read once per kv head instead of once per
/// query head, and the products run `G` times as many rows. Exact: under a dense mask every row
/// sees every key, and a varlen decode query sees its whole sequence, as do its `G` packed rows
/// under an unbounded window; the scale is kept.
struct GQAPacking: Sendable {
    /// Query heads per kv head.
    let groupSize: Int
    let inner: CPUInterpreter

    /// nil when the spec does not qualify: a mask other than dense, causal or varlen decode, no GQA, dense
    /// queries that span more than one query tile (their K/V tiles are already shared across
    /// query tiles), ALiBi or a bias tensor (they differ between the packed rows; a softcap does not).
    init?(_ spec: AttentionSpec, headLockstep: Bool) {
        let p = spec.problem
        let g = p.headsPerKVHead
        guard spec.scores.alibiSlopes == nil, spec.scores.bias == nil, g > 1, p.rank == 1 else { return nil }
        var packed = spec
        packed.problem.heads = p.kvHeads
        packed.problem.queryShape = [p.queryTokens * g]
        packed.problem.scale = p.effectiveScale
        switch spec.mask {
        case .dense where spec.effectiveTiling.queryTile[0] >= p.queryTokens:
            packed.tiling = Tiling(queryTile: [p.queryTokens * g], keyTile: spec.effectiveTiling.keyTile)
        case .causal where p.queryTokens == 1:
            // One causal query sees every key (its diagonal is the last one): dense decode.
            packed.mask = .dense
            packed.tiling = Tiling(queryTile: [g], keyTile: spec.effectiveTiling.keyTile)
        case .varlen(let lengths) where lengths.left < 0 && zip(lengths.queryOffsets.dropFirst(), lengths.queryOffsets).allSatisfy({ $0 - $1 <= 1 }):
            // One query per sequence sees all of it whatever `right` (its diagonal is the last key).
            packed.mask = .varlen(VariableLengths(
                queryOffsets: lengths.queryOffsets.map { $0 * g }, keyOffsets: lengths.keyOffsets, left: -1, right: -1))
            packed.tiling = Tiling(queryTile: [spec.effectiveTiling.queryTile[0] * g], keyTile: spec.effectiveTiling.keyTile)
        default:
            return nil
        }
        guard let inner = try? CPUInterpreter(spec: packed, headLockstep: headLockstep) else { return nil }
        groupSize = g
        self.inner = inner
    }

    /// Runs the packed spec: q gathered to `[batch, queries · G, kvHeads, headDim]` (row `s · G + g`
    /// of kv head `h` is query `s` of head `h · G + g`), the output and lse scattered back.
    func run(
        _ problem: AttentionProblem, q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
        output: UnsafeMutableBufferPointer<Float>, lse: UnsafeMutableBufferPointer<Float>, storageCheck: StorageCheck?
    ) {
        let p = problem
        let (g, d, dv) = (groupSize, p.headDim, p.valueDim)
        var packedQ = [Float](repeating: 0, count: q.count)
        var packedOutput = [Float](repeating: 0, count: output.count)
        var packedLSE = [Float](repeating: 0, count: lse.count)
        // Query head h = kvh · G + j at query s is packed row s · G + j of kv head kvh: a
        // one-to-one map of flat (batch, query, head) rows, used to gather q and to scatter back.
        func packedRow(_ row: Int) -> Int {
            let (bs, head) = row.quotientAndRemainder(dividingBy: p.heads)
            let (b, s) = bs.quotientAndRemainder(dividingBy: p.queryTokens)
            let (kvh, j) = head.quotientAndRemainder(dividingBy: g)
            return (b * p.queryTokens * g + s * g + j) * p.kvHeads + kvh
        }
        let rows = p.batch * p.queryTokens * p.heads
        for row in 0..<rows {
            let target = packedRow(row)
            for x in 0..<d { packedQ[target * d + x] = q[row * d + x] }
        }
        packedQ.withUnsafeBufferPointer { pq in
            packedOutput.withUnsafeMutableBufferPointer { po in
                packedLSE.withUnsafeMutableBufferPointer { pl in inner.run(q: pq, k: k, v: v, output: po, lse: pl, storageCheck: storageCheck) }
            }
        }
        for row in 0..<rows {
            let source = packedRow(row)
            for x in 0..<dv { output[row * dv + x] = packedOutput[source * dv + x] }
            lse[row] = packedLSE[source]
        }
    }
}
