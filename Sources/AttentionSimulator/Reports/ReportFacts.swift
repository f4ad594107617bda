/// The facts of a report as titled sections of (quantity, value) rows: the one list that the
/// text, Markdown and HTML renderings share, so they cannot drift apart.
struct ReportFacts {
    struct Row {
        let quantity: String
        let value: String
    }

    struct Section {
        let title: String
        let rows: [Row]
    }

    let title: String
    let machine: String
    let sections: [Section]

    init(_ r: SimulationReport) {
        let m = r.machine
        title = r.spec
        machine = "\(m.name): \(m.computeUnits) compute units, \(Units.si(m.peakFlops32, unit: "FLOP/s")) fp32, "
            + "\(Units.si(m.peakFlops16, unit: "FLOP/s")) fp16, \(Units.si(m.bandwidth, unit: "B/s"))"
        let tilePairs = r.queryTiles * r.keyTiles
        let visitedShare = tilePairs == 0 ? 0 : Double(r.visitedTilePairs) / Double(tilePairs)
        let s = r.schedule
        sections = [
            Section(title: "Tiles (one batch × head)", rows: [
                Row(quantity: "query tiles", value: Units.count(r.queryTiles)),
                Row(quantity: "key tiles", value: Units.count(r.keyTiles)),
                Row(quantity: "visited tile pairs",
                    value: "\(Units.count(r.visitedTilePairs)) of \(Units.count(tilePairs)) (\(Units.percent(visitedShare)))"),
                Row(quantity: "full tile pairs", value: Units.count(r.fullTilePairs)),
                Row(quantity: "partial tile pairs", value: Units.count(r.partialTilePairs)),
                Row(quantity: "allowed pairs",
                    value: "\(Units.count(r.allowedPairs)) of \(Units.count(r.denseElementPairs)) token pairs"),
            ]),
            Section(title: "Work (all batches and heads)", rows: [
                Row(quantity: "dense FLOPs", value: Units.flops(r.totalDenseFlops)),
                Row(quantity: "visited FLOPs", value: Units.flops(r.totalVisitedFlops)),
                Row(quantity: "useful FLOPs", value: Units.flops(r.totalUsefulFlops)),
                Row(quantity: "FLOP speedup bound", value: "\(Units.speedup(r.flopSpeedupBound)) (dense ÷ useful)"),
                Row(quantity: "tile speedup bound", value: "\(Units.speedup(r.tileSpeedupBound)) (dense ÷ visited)"),
                Row(quantity: "mask-free",
                    value: r.maskFree ? "yes" : "no (\(Units.count(r.partialTilePairs)) partial tile pairs need a mask)"),
            ]),
            Section(title: "Backward pass (all batches and heads)", rows: [
                Row(quantity: "dense FLOPs", value: Units.flops(r.backward.totalDenseFlops)),
                Row(quantity: "visited FLOPs", value: "\(Units.flops(r.backward.totalVisitedFlops)) "
                    + "(\(Units.flops(r.backward.totalVisitedFlopsTwoPass)) with dQ in a second pass)"),
                Row(quantity: "useful FLOPs", value: Units.flops(r.backward.totalUsefulFlops)),
                Row(quantity: "FLOP speedup bound", value: "\(Units.speedup(r.backward.flopSpeedupBound)) (dense ÷ useful)"),
                Row(quantity: "tile speedup bound", value: "\(Units.speedup(r.backward.tileSpeedupBound)) (dense ÷ visited)"),
                Row(quantity: "key tiles visited",
                    value: "\(Units.count(r.backward.transposed.visitedKeyTiles)) of \(Units.count(r.keyTiles)), "
                        + "at most \(Units.count(r.backward.transposed.maxVisitors)) query tiles each"),
            ]),
            Section(title: "Schedule on \(m.name)", rows: [
                Row(quantity: "kind", value: s.kind),
                Row(quantity: "work-groups", value: Units.count(s.workgroups)),
                Row(quantity: "compute units", value: Units.count(s.computeUnits)),
                Row(quantity: "waves", value: Units.count(s.waves)),
                Row(quantity: "wave efficiency", value: Units.percent(s.waveEfficiency)),
                Row(quantity: "work tiles per work-group",
                    value: "min \(s.minWorkTiles), mean \(Units.significant(s.meanWorkTiles)), max \(s.maxWorkTiles)"),
                Row(quantity: "partials", value: Units.count(s.partials)),
                Row(quantity: "merged output tiles", value: Units.count(s.mergedOutputTiles)),
                Row(quantity: "simulated time", value: Units.seconds(s.simulatedSeconds)),
                Row(quantity: "merge time", value: Units.seconds(s.mergeSeconds)),
            ]),
        ]
    }
}
