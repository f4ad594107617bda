import AttentionPlan

/// Worst-case loop iterations of one invocation, counted on the emitted loop structure over the
/// real plan: each loop contributes its iterations plus one for the final header test, which
/// bounds the back-edges a driver counts (lavapipe stops an invocation after 65,535 in total).
/// With `unrolled`, the tile loops (`[[unroll]]`) are assumed unrolled and only the plan's loops
/// count; otherwise every tile loop counts too. The mask predicates have no loops.
struct GLSLLoopEstimate {
    let plan: TilePlan
    let partition: WorkPartition
    let configuration: GLSLConfiguration
    let unrolled: Bool

    /// Per-work-item step counts of the tile loops (GLSLPreamble's `*_STEPS`).
    private func steps(_ elements: Int) -> Int { (elements + configuration.workgroupSize - 1) / configuration.workgroupSize }
    private var rowSteps: Int { steps(configuration.maxQueryRows) }
    private var accSteps: Int { steps(configuration.maxQueryRows * configuration.valueDim) }

    /// Tile loops of one segment outside its panels: load the query tile, init, store.
    private var segmentTileLoops: Int {
        guard !unrolled else { return 0 }
        let query = steps(configuration.maxQueryRows * configuration.headDim)
        return 3 * (rowSteps + 1) + (query + 1) + 2 * (accSteps + 1)
    }

    /// Tile loops per visit gathered into a panel (its key-tile token copy).
    private var visitTileLoops: Int { unrolled ? 0 : steps(configuration.maxKeyRows) + 1 }

    /// Tile loops per key chunk: load K and V, scores (the head-dimension loop inside stays
    /// unrolled), mask, softmax (row max, then exp or zero, per row; rescale), accumulate.
    private var chunkTileLoops: Int {
        guard !unrolled else { return 0 }
        let c = configuration
        let keys = steps(c.keyChunk * c.headDim), values = steps(c.keyChunk * c.valueDim), scores = steps(c.maxQueryRows * c.keyChunk)
        return (keys + 1) + (values + 1) + (scores + 1) + (scores + 1)
            + rowSteps * 3 * (c.keyChunk + 1) + (rowSteps + 1) + (accSteps + 1) + accSteps * (c.keyChunk + 1) + (accSteps + 1)
    }

    /// The attention shader: the largest count over its work-groups.
    func attention(flash: Bool) -> Int {
        if flash {
            // One segment per work-group (no segment loop): the query tile's visits, the same for every batch and head.
            return (0..<plan.queryTiles.count).map { segment(visits: plan.visits(forQueryTile: $0)[...]) }.max() ?? 0
        }
        return (0..<partition.workgroupCount).map { group in
            let segments = partition.segments(ofWorkgroup: group)
            return segments.count + 1 + segments.reduce(0) { total, s in
                total + segment(visits: plan.visits(forQueryTile: s.queryTile)[s.visits])
            }
        }.max() ?? 0
    }

    /// The merge shader: the slot loop of the output tile with the most parts (and, as real
    /// loops, the accumulator loops of init, each merge and the store).
    var merge: Int {
        guard partition.needsMerge else { return 0 }
        let parts = (0..<partition.outputTileCount).map(partition.partCount(ofOutputTile:)).max() ?? 0
        return parts + 1 + (unrolled ? 0 : (parts + 2) * (accSteps + 1))
    }

    /// One segment: the panel loop, and per panel the grouping loop, the token-gather loop over
    /// its visits and the chunk loop over its keys (gather_panel and forEachPanel's lowering).
    private func segment(visits: ArraySlice<KeyTileVisit>) -> Int {
        let panels = self.panels(visits)
        return segmentTileLoops + panels.count + 1 + panels.reduce(0) { total, panel in
            let chunks = (panel.keys + configuration.keyChunk - 1) / configuration.keyChunk
            return total + panel.visits + (panel.visits + 1) + (chunks + 1) + panel.visits * visitTileLoops + chunks * chunkTileLoops
        }
    }

    /// gather_panel's grouping: consecutive visits while the next still fits in PANEL_KEYS keys.
    private func panels(_ visits: ArraySlice<KeyTileVisit>) -> [(visits: Int, keys: Int)] {
        var panels: [(visits: Int, keys: Int)] = []
        var index = visits.startIndex
        while index < visits.endIndex {
            var panel = (visits: 1, keys: plan.keyTiles.tokenCount(of: visits[index].keyTile))
            index += 1
            while index < visits.endIndex {
                let next = plan.keyTiles.tokenCount(of: visits[index].keyTile)
                if panel.keys + next > configuration.panelKeys { break }
                panel.keys += next
                panel.visits += 1
                index += 1
            }
            panels.append(panel)
        }
        return panels
    }
}
