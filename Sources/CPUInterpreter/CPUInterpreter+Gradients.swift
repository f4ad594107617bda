import AttentionPlan
import AttentionSpec
import CAttentionKernels
import Foundation

/// The backward pass on the host (FlashAttention-2's equations), tile pair by tile pair over the
/// plan, with the same micro-kernels as the forward. Per visited (query tile, key tile):
/// `S = scale·Q·Kᵀ` (modified by the spec's softcap and ALiBi, masked on PARTIAL tiles),
/// `dP = dO·Vᵀ`, `P = exp(S − lse)`, `dS = scale·P∘(dP − D)` (times `1 − tanh²` under a softcap), then `dV += Pᵀ·dO`, `dK += dSᵀ·Q`, `dQ += dS·K`.
///
/// Deterministic: every gradient row has one owner and its sums run in plan order.
extension CPUInterpreter {
    /// How the backward's work is split over the cores.
    public enum GradientDecomposition: String, Sendable, CaseIterable {
        /// One task per (batch, kv head) owns its dK and dV rows and the dQ rows of the query
        /// heads that share it: one pass, five products per tile pair.
        case headGroups
        /// Key-tile-major tasks own dK and dV (the transposed plan), then query-tile-major tasks
        /// own dQ: two more products per tile pair, but parallel over tiles when there are few
        /// (batch, kv head) groups.
        case keyTilesThenQueryTiles

        /// Head groups when there are enough of them for every core.
        static func chosen(for problem: AttentionProblem) -> Self {
            problem.batch * problem.kvHeads >= ProcessInfo.processInfo.activeProcessorCount ? .headGroups : .keyTilesThenQueryTiles
        }
    }

    /// Writes `dq`, `dk`, `dv` (float32, the spec's q, k, v shapes) from the forward's inputs
    /// (rounded to the storage type), its `output` and `lse`, and the upstream gradient `dOutput`.
    /// Does nothing for a paged spec (a paged KV cache is for inference).
    public func gradients(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>? = nil,
        output: UnsafeBufferPointer<Float>, lse: UnsafeBufferPointer<Float>, dOutput: UnsafeBufferPointer<Float>,
        dq: UnsafeMutableBufferPointer<Float>, dk: UnsafeMutableBufferPointer<Float>, dv: UnsafeMutableBufferPointer<Float>,
        decomposition: GradientDecomposition? = nil
    ) {
        let p = plan.spec.problem
        // A paged spec has no backward (AttentionGradientInputs refuses it): its pools are not dK's shape.
        guard p.pages == nil else { return }
        guard let qBase = q.baseAddress, let kBase = k.baseAddress, let vBase = v.baseAddress, let oBase = output.baseAddress,
            let lseBase = lse.baseAddress, let doBase = dOutput.baseAddress, let dqBase = dq.baseAddress,
            let dkBase = dk.baseAddress, let dvBase = dv.baseAddress
        else { return }
        // D = rowsum(dO ∘ O), one value per (batch, query, head) row.
        let rows = p.batch * p.queryTokens * p.heads
        let rowDot = UnsafeMutablePointer<Float>.allocate(capacity: max(rows, 1))
        defer { rowDot.deallocate() }
        for row in 0..<rows {
            var sum: Float = 0
            for x in 0..<p.valueDim { sum += doBase[row * p.valueDim + x] * oBase[row * p.valueDim + x] }
            rowDot[row] = sum
        }
        dq.update(repeating: 0)
        // Q and dO head-major, so that a query tile's rows are read in place, contiguously.
        let queries = HeadMajorCopy(TensorRows(base: qBase, tokens: p.queryTokens, heads: p.heads, width: p.headDim), batch: p.batch)
        let upstream = HeadMajorCopy(TensorRows(base: doBase, tokens: p.queryTokens, heads: p.heads, width: p.valueDim), batch: p.batch)
        let visitors = TilePlan.transposed(visits, keyTiles: plan.keyTiles.count)
        // Per key tile and visitor, the query rows that may see the tile (PARTIAL neighborhood
        // visits trimmed, as the forward trims their keys).
        let visitorQueries = visitors.enumerated().map { keyTile, visitors in
            visitors.map { visitor in
                let queries = queryRows[visitor.queryTile]
                guard visitor.tileClass == .partial,
                    let kept = predicate.visibleQueries(ofKeys: keyRows[keyTile].tokens, among: queries.tokens)
                else { return queries }
                return TileRows(tokens: kept)
            }
        }
        // Their masks as bits, per key tile and visitor; the dQ pass reads the forward's.
        let keyTilePatterns = MaskPatterns(
            predicate,
            pairs: visitorQueries.enumerated().map { keyTile, rows in
                zip(visitors[keyTile], rows).map { visitor, rows in visitor.tileClass == .partial ? (rows, keyRows[keyTile]) : nil }
            },
            budget: maskPatternBudget)
        let tensors = GradientTensors(
            q: TensorRows(base: qBase, tokens: p.queryTokens, heads: p.heads, width: p.headDim), queries: queries, upstream: upstream,
            k: TensorRows(base: kBase, tokens: p.keyTokens, heads: p.kvHeads, width: p.headDim),
            v: TensorRows(base: vBase, tokens: p.keyTokens, heads: p.kvHeads, width: p.valueDim),
            bias: bias?.baseAddress, keyTilePatterns: keyTilePatterns, queryTilePatterns: maskPatterns(), lse: lseBase, rowDot: rowDot, dq: SharedPointer(pointer: dqBase), dk: SharedPointer(pointer: dkBase),
            dv: SharedPointer(pointer: dvBase))
        let groups = p.batch * p.kvHeads
        let keyTileCount = plan.keyTiles.count
        switch decomposition ?? .chosen(for: p) {
        case .headGroups:
            parallelFor(groups) { tasks in
                let scratch = GradientScratch(queries: maxQueryRows, keys: maxKeyRows, headDim: p.headDim, valueDim: p.valueDim)
                for group in tasks {
                    for keyTile in 0..<keyTileCount {
                        keyTileStep(
                            group: group, keyTile: keyTile, visitors: visitors[keyTile], queries: visitorQueries[keyTile], tensors, scratch,
                            accumulateQuery: true)
                    }
                }
            }
        case .keyTilesThenQueryTiles:
            parallelFor(groups * keyTileCount) { tasks in
                let scratch = GradientScratch(queries: maxQueryRows, keys: maxKeyRows, headDim: p.headDim, valueDim: p.valueDim)
                for task in tasks {
                    let keyTile = task % keyTileCount
                    keyTileStep(
                        group: task / keyTileCount, keyTile: keyTile, visitors: visitors[keyTile], queries: visitorQueries[keyTile], tensors,
                        scratch, accumulateQuery: false)
                }
            }
            let queryTileCount = plan.queryTiles.count
            parallelFor(p.batch * p.heads * queryTileCount) { tasks in
                let scratch = GradientScratch(queries: maxQueryRows, keys: maxKeyRows, headDim: p.headDim, valueDim: p.valueDim)
                for task in tasks {
                    let (batchHead, queryTile) = task.quotientAndRemainder(dividingBy: queryTileCount)
                    queryTileStep(batch: batchHead / p.heads, head: batchHead % p.heads, queryTile: queryTile, tensors, scratch)
                }
            }
        }
    }

    /// dK and dV of one key tile for one (batch, kv head), summed over the query heads sharing
    /// it and the query tiles visiting it (`queries`: each visitor's rows that may see the tile);
    /// with `accumulateQuery`, also each visit's share of dQ.
    private func keyTileStep(
        group: Int, keyTile: Int, visitors: [QueryTileVisit], queries visitorRows: [TileRows], _ t: GradientTensors, _ s: GradientScratch,
        accumulateQuery: Bool
    ) {
        let p = plan.spec.problem
        let (batch, kvHead) = group.quotientAndRemainder(dividingBy: p.kvHeads)
        let keys = keyRows[keyTile]
        let (d, dvWidth, columns) = (p.headDim, p.valueDim, keys.count)
        let kTile = s.loadKeyTile(keys, batch: batch, kvHead: kvHead, t)
        s.dk.update(repeating: 0, count: columns * d)
        s.dv.update(repeating: 0, count: columns * dvWidth)
        for head in (kvHead * p.headsPerKVHead)..<((kvHead + 1) * p.headsPerKVHead) {
            for (index, (visitor, queries)) in zip(visitors, visitorRows).enumerated() where queries.count > 0 {
                let r = queries.count
                let (qTile, doTile) = tileGradients(
                    batch: batch, head: head, queries: queries, keys: keys, masked: visitor.tileClass == .partial,
                    bits: t.keyTilePatterns?.pattern(keyTile, index), t, s)
                // dV += Pᵀ·dO and dK += dSᵀ·Q, through a transposed copy so the products stay row-major.
                ag_transpose(Int32(r), Int32(columns), s.s, Int32(s.keys), s.transposed, Int32(s.queries))
                ag_gemm_ab_acc(
                    Int32(columns), Int32(dvWidth), Int32(r), s.transposed, Int32(s.queries), doTile.0, Int32(doTile.1), s.dv,
                    Int32(dvWidth))
                ag_transpose(Int32(r), Int32(columns), s.dp, Int32(s.keys), s.transposed, Int32(s.queries))
                ag_gemm_ab_acc(
                    Int32(columns), Int32(d), Int32(r), s.transposed, Int32(s.queries), qTile.0, Int32(qTile.1), s.dk, Int32(d))
                if accumulateQuery {
                    t.addToQueryGradient(queries, batch: batch, head: head, scratch: s.dq) {
                        ag_gemm_ab_acc(Int32(r), Int32(d), Int32(columns), s.dp, Int32(s.keys), kTile.0, Int32(kTile.1), $0, Int32($1))
                    }
                }
            }
        }
        for (c, token) in keys.tokens.enumerated() {
            let row = (batch * p.keyTokens + token) * p.kvHeads + kvHead
            (t.dk.pointer + row * d).update(from: s.dk + c * d, count: d)
            (t.dv.pointer + row * dvWidth).update(from: s.dv + c * dvWidth, count: dvWidth)
        }
    }

    /// dQ of one query tile for one (batch, head), over the key tiles it visits (trimmed as in
    /// the forward).
    private func queryTileStep(batch: Int, head: Int, queryTile: Int, _ t: GradientTensors, _ s: GradientScratch) {
        let p = plan.spec.problem
        let queries = queryRows[queryTile]
        let kvHead = p.kvHead(forQueryHead: head)
        let d = p.headDim
        t.addToQueryGradient(queries, batch: batch, head: head, scratch: s.dq) { target, ld in
            for (index, visit) in visits[queryTile].enumerated() {
                let keys = keys(queryTile, visit: index)
                let kTile = s.loadKeyTile(keys, batch: batch, kvHead: kvHead, t)
                _ = tileGradients(
                    batch: batch, head: head, queries: queries, keys: keys, masked: visit.tileClass == .partial,
                    bits: t.queryTilePatterns?.pattern(queryTile, index), t, s)
                ag_gemm_ab_acc(
                    Int32(queries.count), Int32(d), Int32(keys.count), s.dp, Int32(s.keys), kTile.0, Int32(kTile.1), target, Int32(ld))
            }
        }
    }

    /// P into `s.s` and dS into `s.dp` for one tile pair, with the key tile loaded by
    /// `loadKeyTile` and, when `masked`, its mask from `bits` (`MaskPatterns`) or else the
    /// predicate; returns the Q and dO tiles it read (head-major: contiguous rows for runs).
    private func tileGradients(
        batch: Int, head: Int, queries: TileRows, keys: TileRows, masked: Bool, bits: UnsafePointer<UInt16>?, _ t: GradientTensors,
        _ s: GradientScratch
    ) -> (q: (UnsafePointer<Float>, Int), dOutput: (UnsafePointer<Float>, Int)) {
        let p = plan.spec.problem
        let (r, columns) = (queries.count, keys.count)
        let headRow = batch * p.heads + head  // the head-major copies' batch index
        let qTile = t.queries.rows.tile(queries, batch: headRow, head: 0, scratch: s.q)
        let doTile = t.upstream.rows.tile(queries, batch: headRow, head: 0, scratch: s.dOutput)
        for (i, token) in queries.tokens.enumerated() {
            let row = (batch * p.queryTokens + token) * p.heads + head
            s.lse[i] = t.lse[row]
            s.rowDot[i] = t.rowDot[row]
        }
        let scale = Float(p.effectiveScale)
        ag_gemm_ab(Int32(r), Int32(columns), Int32(p.headDim), scale, qTile.0, Int32(qTile.1), s.kT, Int32(s.keys), s.s, Int32(s.keys))
        let softcapped = plan.spec.scores.softcap != nil
        if !plan.spec.scores.isEmpty {
            modifyScores(
                rows: queries, keys: [keys], batch: batch, head: head, s.s, ld: s.keys, queryPositions: s.queryPositions,
                keyPositions: s.keyPositions, capSlopes: softcapped ? s.capSlopes : nil, bias: t.bias)
        }
        if masked, let bits {
            ag_mask_bits(Int32(r), Int32(columns), s.s, Int32(s.keys), bits, Int32(MaskPatterns.rowWords(columns)))
        } else if masked {
            predicate.maskTile(queries: queries.tokens, keys: keys.tokens, scores: s.s, ld: s.keys)
        }
        ag_gemm_ab(Int32(r), Int32(columns), Int32(p.valueDim), 1, doTile.0, Int32(doTile.1), s.vT, Int32(s.keys), s.dp, Int32(s.keys))
        ag_softmax_gradient(Int32(r), Int32(columns), s.s, Int32(s.keys), s.dp, Int32(s.keys), s.lse, s.rowDot, scale)
        // The softcap's chain rule: dS of the raw score is dS of the capped one times 1 − tanh².
        if softcapped { ag_multiply_elementwise(Int32(r), Int32(columns), s.dp, Int32(s.keys), s.capSlopes, Int32(s.keys)) }
        return (qTile, doTile)
    }
}

/// The tensors one backward run reads and writes.
struct GradientTensors: @unchecked Sendable {
    let q: TensorRows
    /// Q and dO head-major (batch index `batch · heads + head`).
    let queries: HeadMajorCopy
    let upstream: HeadMajorCopy
    let k: TensorRows
    let v: TensorRows
    /// The score bias, when the spec has one.
    let bias: UnsafePointer<Float>?
    /// PARTIAL masks as bits: per key tile and visitor (the dK/dV pass), per query tile and
    /// visit (the dQ pass), when the plan keeps them.
    let keyTilePatterns: MaskPatterns?
    let queryTilePatterns: MaskPatterns?
    let lse: UnsafePointer<Float>
    let rowDot: UnsafePointer<Float>
    let dq: SharedPointer<Float>
    let dk: SharedPointer<Float>
    let dv: SharedPointer<Float>

    /// Runs `accumulate(target, ld)` so that it adds into dQ's rows for `rows`: in place when the
    /// rows are evenly spaced, otherwise through `scratch`, added back row by row.
    func addToQueryGradient(
        _ rows: TileRows, batch: Int, head: Int, scratch: UnsafeMutablePointer<Float>,
        _ accumulate: (UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        let (tokens, heads, width) = (q.tokens, q.heads, q.width)
        func row(_ token: Int) -> UnsafeMutablePointer<Float> { dq.pointer + ((batch * tokens + token) * heads + head) * width }
        if let step = rows.uniformStep {
            accumulate(row(rows.tokens[0]), step * heads * width)
            return
        }
        scratch.update(repeating: 0, count: rows.count * width)
        accumulate(scratch, width)
        let targets = rows.tokens.map { Optional(row($0)) }
        ag_add_rows(Int32(rows.count), Int32(width), scratch, Int32(width), targets)
    }
}

/// The backward's tiles for one task: gathered operands, S/P, dP/dS, a transposed copy and the
/// key tile's dK and dV sums.
final class GradientScratch {
    let queries: Int
    let keys: Int
    let q, dOutput, k, v, kT, vT, s, dp, transposed, dk, dv, dq, lse, rowDot, capSlopes: UnsafeMutablePointer<Float>
    /// Token positions of the tile pair's rows and columns, for ALiBi.
    let queryPositions, keyPositions: UnsafeMutablePointer<Int64>

    init(queries: Int, keys: Int, headDim: Int, valueDim: Int) {
        self.queries = queries
        self.keys = keys
        q = zeroedBuffer(queries * headDim)
        dOutput = zeroedBuffer(queries * valueDim)
        k = zeroedBuffer(keys * headDim)
        v = zeroedBuffer(keys * valueDim)
        kT = zeroedBuffer(headDim * keys)
        vT = zeroedBuffer(valueDim * keys)
        s = zeroedBuffer(queries * keys)
        dp = zeroedBuffer(queries * keys)
        transposed = zeroedBuffer(keys * queries)
        dk = zeroedBuffer(keys * headDim)
        dv = zeroedBuffer(keys * valueDim)
        dq = zeroedBuffer(queries * headDim)
        lse = zeroedBuffer(queries)
        rowDot = zeroedBuffer(queries)
        capSlopes = zeroedBuffer(queries * keys)
        queryPositions = positionBuffer(queries)
        keyPositions = positionBuffer(keys)
    }

    deinit {
        for pointer in [q, dOutput, k, v, kT, vT, s, dp, transposed, dk, dv, dq, lse, rowDot, capSlopes] { pointer.deallocate() }
        queryPositions.deallocate()
        keyPositions.deallocate()
    }

    /// Gathers a key tile's K and V rows (contiguous, for dQ += dS·K) and their transposes Kᵀ and
    /// Vᵀ (`keys` apart, for S = Q·Kᵀ and dP = dO·Vᵀ without packing per visit); returns K.
    func loadKeyTile(_ rows: TileRows, batch: Int, kvHead: Int, _ t: GradientTensors) -> (UnsafePointer<Float>, Int) {
        let kTile = t.k.gather(rows, batch: batch, head: kvHead, into: k)
        let vTile = t.v.gather(rows, batch: batch, head: kvHead, into: v)
        ag_transpose(Int32(rows.count), Int32(t.k.width), kTile, Int32(t.k.width), kT, Int32(keys))
        ag_transpose(Int32(rows.count), Int32(t.v.width), vTile, Int32(t.v.width), vT, Int32(keys))
        return (kTile, t.k.width)
    }
}
