#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttentionPlan
import CAttentionKernels
import KernelIR

/// Where a work-group is in its program: the segment and visit being executed.
struct ExecutionContext {
    let workgroup: Int
    let state: WorkgroupState
    let buffers: Buffers
    let trace: InterpreterTrace?
    var segment: WorkSegment?
    /// The visits of the current panel and their key count.
    var panel: ArraySlice<KeyTileVisit> = []
    var panelKeys = 0
    var outputTile = 0
    var slot = 0
    var rows = 0
}

extension CPUInterpreter {
    /// Executes `ops` for one work-group, op by op.
    func execute(_ ops: [TileOp], _ c: inout ExecutionContext) {
        for op in ops { execute(op, &c) }
    }

    /// Makes `segment` the context's current one: its output tile, partial slot and row count.
    func enter(_ segment: WorkSegment, _ c: inout ExecutionContext) {
        c.segment = segment
        c.outputTile = (segment.batch * plan.spec.problem.heads + segment.head) * plan.queryTiles.count + segment.queryTile
        c.slot = slotBase.count > 1 ? slotBase[c.outputTile] + segment.part : 0
        c.rows = queryRows[segment.queryTile].count
    }

    /// The panels of the context's segment: visit ranges and key counts.
    func panels(of c: ExecutionContext) -> [(visits: Range<Int>, keys: Int)] {
        guard let segment = c.segment else { return [] }
        let keys = visitKeys[segment.queryTile]
        return KeyPanels.group(visits[segment.queryTile][segment.visits], capacity: c.state.maxKeys) { keys[$0].count }
    }

    /// Makes `panel` the context's current one.
    func enter(_ panel: (visits: Range<Int>, keys: Int), _ c: inout ExecutionContext) {
        guard let segment = c.segment else { return }
        c.panel = visits[segment.queryTile][panel.visits]
        c.panelKeys = panel.keys
    }

    func execute(_ op: TileOp, _ c: inout ExecutionContext) {
        let p = plan.spec.problem
        let state = c.state
        switch op {
        case .forEachSegment(let body):
            for segment in partition.segments(ofWorkgroup: c.workgroup) {
                enter(segment, &c)
                execute(body, &c)
            }
        case .loadQuery:
            guard let segment = c.segment else { return }
            state.qTile = c.buffers.q.tile(queryRows[segment.queryTile], batch: segment.batch, head: segment.head, scratch: state.q)
        case .initState:
            if c.segment == nil {  // merge kernel: one work-group per output tile
                c.outputTile = c.workgroup
                c.rows = queryRows[partition.outputTile(c.workgroup).queryTile].count
            }
            state.initState(rows: c.rows)
        case .forEachPanel(_, let body):
            for panel in panels(of: c) {
                enter(panel, &c)
                execute(body, &c)
            }
        case .loadKey:
            guard let segment = c.segment else { return }
            let tiles = visitKeys[segment.queryTile][c.panel.indices]
            state.keysFromCopies = c.buffers.copies != nil && tiles.allSatisfy { $0.uniformStep == 1 }
            guard !state.keysFromCopies else { return }  // the scores read the transposed copy
            state.kTile = c.buffers.k.operand(tiles, batch: segment.batch, head: p.kvHead(forQueryHead: segment.head), pointers: state.kRows)
        case .loadValue:
            guard let segment = c.segment else { return }
            let tiles = visitKeys[segment.queryTile][c.panel.indices]
            let kvHead = p.kvHead(forQueryHead: segment.head)
            if let copies = c.buffers.copies {
                state.vTile = copies.values.rows.operand(tiles, batch: segment.batch * p.kvHeads + kvHead, head: 0, pointers: state.vRows)
            } else {
                state.vTile = c.buffers.v.operand(tiles, batch: segment.batch, head: kvHead, pointers: state.vRows)
            }
        case .scores(let scale):
            if state.keysFromCopies, let copies = c.buffers.copies, let segment = c.segment {
                // One product per visit, each reading its key tile's Kᵀ block from its first kept key on.
                let group = segment.batch * p.kvHeads + p.kvHead(forQueryHead: segment.head)
                var column = 0
                for (index, visit) in zip(c.panel.indices, c.panel) {
                    let tokens = keys(segment.queryTile, visit: index).tokens
                    ag_gemm_ab(
                        Int32(c.rows), Int32(tokens.count), Int32(p.headDim), Float(scale), state.qTile.0, Int32(state.qTile.1),
                        copies.keyBlock(group: group, tile: visit.keyTile) + (tokens[0] - visit.keyTile * copies.tileKeys),
                        Int32(copies.tileKeys), state.s + column, Int32(state.maxKeys))
                    column += tokens.count
                }
                return
            }
            let (rows, keys, dim) = (Int32(c.rows), Int32(c.panelKeys), Int32(p.headDim))
            switch state.kTile {
            case .strided(let k, let ld):
                ag_gemm_abt(rows, keys, dim, Float(scale), state.qTile.0, Int32(state.qTile.1), k, Int32(ld), state.s, Int32(state.maxKeys))
            case .rows(let k):
                ag_gemm_abt_rows(rows, keys, dim, Float(scale), state.qTile.0, Int32(state.qTile.1), k, state.s, Int32(state.maxKeys))
            }
            // After the product, which prefetched the rows: they are in cache now.
            if let check = c.buffers.storageCheck { state.kTile.check(check, count: c.panelKeys, width: p.headDim) }
        case .modifyScores:
            guard let segment = c.segment else { return }
            modifyScores(
                rows: queryRows[segment.queryTile], keys: Array(visitKeys[segment.queryTile][c.panel.indices]), batch: segment.batch,
                head: segment.head, state.s, ld: state.maxKeys, queryPositions: state.queryPositions, keyPositions: state.keyPositions,
                capSlopes: nil, bias: c.buffers.bias)
        case .maskPartial:
            guard let segment = c.segment else { return }
            var column = 0
            for (index, visit) in zip(c.panel.indices, c.panel) {
                let masked = visit.tileClass == .partial
                let keys = keys(segment.queryTile, visit: index)
                if masked, let bits = c.buffers.maskPatterns?.pattern(segment.queryTile, index) {
                    ag_mask_bits(Int32(c.rows), Int32(keys.count), state.s + column, Int32(state.maxKeys), bits, Int32(MaskPatterns.rowWords(keys.count)))
                } else if masked {
                    predicate.maskTile(
                        queries: queryRows[segment.queryTile].tokens, keys: keys.tokens, scores: state.s, ld: state.maxKeys, offset: column)
                }
                column += keys.count
                c.trace?.record(.init(
                    batch: segment.batch, head: segment.head, queryTile: segment.queryTile, keyTile: visit.keyTile, masked: masked))
            }
        case .softmaxUpdate:
            ag_softmax_update(
                Int32(c.rows), Int32(c.panelKeys), state.s, Int32(state.maxKeys), state.m, state.l, state.acc,
                Int32(p.valueDim), Int32(p.valueDim))
        case .accumulate:
            let (rows, keys, dim) = (Int32(c.rows), Int32(c.panelKeys), Int32(p.valueDim))
            switch state.vTile {
            case .strided(let v, let ld):
                ag_gemm_ab_acc(rows, dim, keys, state.s, Int32(state.maxKeys), v, Int32(ld), state.acc, dim)
            case .rows(let v):
                ag_gemm_ab_acc_rows(rows, dim, keys, state.s, Int32(state.maxKeys), v, state.acc, dim)
            }
            // V read from the rearranged copy was checked as it was copied.
            if c.buffers.copies == nil, let check = c.buffers.storageCheck { state.vTile.check(check, count: c.panelKeys, width: p.valueDim) }
        case .storeOutput:
            storeOutput(&c)
        case .storePartial:
            let store = c.buffers.partials
            let rows = store.rows
            (store.m + c.slot * rows).update(from: state.m, count: c.rows)
            (store.l + c.slot * rows).update(from: state.l, count: c.rows)
            (store.acc + c.slot * rows * p.valueDim).update(from: state.acc, count: c.rows * p.valueDim)
        case .forEachPart(let body):
            for slot in slotBase[c.outputTile]..<slotBase[c.outputTile + 1] {
                c.slot = slot
                execute(body, &c)
            }
        case .mergePartial:
            mergePartial(&c)
        }
    }

    /// The spec's score modifiers on the scores of query head `head` for `rows` against the key
    /// tiles `keys`, one after another in the columns; with `capSlopes`, the softcap's
    /// derivative too. ALiBi's positions (queries aligned to the bottom-right diagonal) are
    /// gathered into the two position buffers only when the spec has ALiBi.
    func modifyScores(
        rows: TileRows, keys: [TileRows], batch: Int, head: Int, _ scores: UnsafeMutablePointer<Float>, ld: Int,
        queryPositions: UnsafeMutablePointer<Int64>, keyPositions: UnsafeMutablePointer<Int64>, capSlopes: UnsafeMutablePointer<Float>?,
        bias: UnsafePointer<Float>?
    ) {
        let p = plan.spec.problem
        let modifiers = plan.spec.scores
        let columns = keys.reduce(0) { $0 + $1.count }
        if modifiers.alibiSlopes != nil {
            for (r, token) in rows.tokens.enumerated() { queryPositions[r] = Int64(plan.spec.alibiDiagonal(query: token)) }
            for (column, token) in keys.lazy.flatMap(\.tokens).enumerated() { keyPositions[column] = Int64(token) }
        }
        ag_modify_scores(
            Int32(rows.count), Int32(columns), scores, Int32(ld), Float(modifiers.softcap ?? 0), Float(modifiers.alibiSlopes?[head] ?? 0),
            queryPositions, keyPositions, capSlopes, Int32(ld))
        // The bias tensor, last: s += bias[b, h, query, key].
        guard let layout = modifiers.bias, let bias else { return }
        for (r, query) in rows.tokens.enumerated() {
            let row = bias + layout.index(batch: batch, head: head, query: query, key: 0, problem: p)
            for (column, key) in keys.lazy.flatMap(\.tokens).enumerated() { scores[r * ld + column] += row[key] }
        }
    }

    private func storeOutput(_ c: inout ExecutionContext) {
        let p = plan.spec.problem
        let state = c.state
        ag_softmax_finalize(Int32(c.rows), Int32(p.valueDim), state.acc, Int32(p.valueDim), state.m, state.l, state.lse)
        let tile = partition.outputTile(c.outputTile)
        for (r, token) in queryRows[tile.queryTile].tokens.enumerated() {
            let row = (tile.batch * p.queryTokens + token) * p.heads + tile.head
            (c.buffers.output.pointer + row * p.valueDim).update(from: state.acc + r * p.valueDim, count: p.valueDim)
            c.buffers.lse.pointer[row] = state.lse[r]
        }
    }

    /// Log-sum-exp merge of partial slot `c.slot` into the state; empty parts (l = 0) add nothing.
    /// A part with m = −∞ but l ≠ 0 saw only NaN scores: merged, it makes the row NaN.
    private func mergePartial(_ c: inout ExecutionContext) {
        let dv = plan.spec.problem.valueDim
        let store = c.buffers.partials
        let state = c.state
        let m = store.m + c.slot * store.rows
        let l = store.l + c.slot * store.rows
        let acc = store.acc + c.slot * store.rows * dv
        for r in 0..<c.rows where l[r] != 0 {
            let merged = max(state.m[r], m[r])
            let own = state.m[r] == -.infinity ? 0 : expf(state.m[r] - merged)
            let other = expf(m[r] - merged)
            state.l[r] = state.l[r] * own + l[r] * other
            let target = state.acc + r * dv
            let source = acc + r * dv
            for x in 0..<dv { target[x] = target[x] * own + source[x] * other }
            state.m[r] = merged
        }
    }
}
