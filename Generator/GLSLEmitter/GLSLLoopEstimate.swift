import AttentionPlan

/// Worst-case loop iterations of one invocation once every `[[unroll]]` loop is unrolled,
/// counted on the emitted loop structure over the real plan: each remaining loop contributes
/// its iterations plus one for the final header test, which bounds the back-edges a driver
/// counts (lavapipe stops an invocation after 65,535 in total). The mask predicates and tile
/// helpers have no other loops.
struct GLSLLoopEstimate {
    let plan: TilePlan
    let partition: WorkPartition
    let configuration: GLSLConfiguration

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

    /// The merge shader: the slot loop of the output tile with the most parts.
    var merge: Int {
        guard partition.needsMerge else { return 0 }
        return ((0..<partition.outputTileCount).map(partition.partCount(ofOutputTile:)).max() ?? 0) + 1
    }

    /// One segment: the panel loop, and per panel the grouping loop, the token-gather loop over
    /// its visits and the chunk loop over its keys (gather_panel and forEachPanel's lowering).
    private func segment(visits: ArraySlice<KeyTileVisit>) -> Int {
        let panels = self.panels(visits)
        return panels.count + 1 + panels.reduce(0) { total, panel in
            let chunks = (panel.keys + configuration.keyChunk - 1) / configuration.keyChunk
            return total + panel.visits + (panel.visits + 1) + (chunks + 1)
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
