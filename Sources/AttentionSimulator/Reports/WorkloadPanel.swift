/// Panel (c), when the schedule has more than one work-group: simulated time per work-group as
/// bars, with a dashed line at the mean, to show load imbalance at a glance.
struct WorkloadPanel {
    /// More work-groups than this are drawn as bins of several, each bar the slowest in its bin.
    static let maxBars = 320
    let report: SimulationReport

    func draw() -> SVGCanvas? {
        let schedule = report.schedule
        let samples = schedule.workgroupSeconds
        guard schedule.workgroups > 1, !samples.isEmpty else { return nil }
        // ScheduleAnalysis keeps every `sampleStep`-th work-group.
        let sampleStep = (schedule.workgroups + samples.count - 1) / samples.count
        let perBar = (samples.count + Self.maxBars - 1) / Self.maxBars
        let bars = stride(from: 0, to: samples.count, by: perBar).map { samples[$0..<min($0 + perBar, samples.count)].max() ?? 0 }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let slowest = samples.max() ?? 0
        let unit = TimeUnit(forMagnitude: slowest)

        var subtitle = ["\(schedule.kind) schedule, \(Units.count(schedule.workgroups)) work-groups on \(Units.count(schedule.computeUnits)) compute units "
            + "(\(report.machine.name)): mean \(Units.seconds(mean)), slowest \(Units.seconds(slowest)), wave efficiency \(Units.percent(schedule.waveEfficiency))"]
        if schedule.partials > 0 {
            subtitle[0] += "; \(Units.count(schedule.partials, "partial")) merged into \(Units.count(schedule.mergedOutputTiles, "output tile"))"
                + " (merge \(Units.seconds(schedule.mergeSeconds)))"
        }
        let groupsPerBar = sampleStep * perBar
        if groupsPerBar > 1 { subtitle.append("each bar = \(Units.count(groupsPerBar)) consecutive work-groups, drawn at the slowest sampled one") }

        var canvas = SVGCanvas(width: PanelLayout.width, height: 0)
        let top = PanelLayout.header(&canvas, title: "Simulated time per work-group", subtitle: wrap(subtitle[0], limit: PanelLayout.subtitleChars) + subtitle.dropFirst())
        // Narrower than the other plots: the mean's label sits in the right margin.
        let (left, plotWidth, plotHeight) = (PanelLayout.plotLeft, PanelLayout.plotMaxWidth - 48, 220.0)
        let axisTop = top + 8
        let step = niceStep(span: slowest * unit.scale, maxTicks: 5)
        let axisMax = max(step, (slowest * unit.scale / step).rounded(.up) * step)
        let y = { (seconds: Double) in axisTop + plotHeight * (1 - seconds * unit.scale / axisMax) }

        let ticks = stride(from: 0.0, through: axisMax + step / 2, by: step).map { value in
            (y: y(value / unit.scale), label: Units.significant(value))
        }
        for tick in ticks { canvas.line(x1: left, y1: tick.y, x2: left + plotWidth, y2: tick.y, stroke: "#e6e6e6") }
        PanelLayout.yTicks(&canvas, ticks, x: left)

        let slot = plotWidth / Double(bars.count)
        let gap = slot >= 4 ? slot * 0.15 : 0
        var d = ""
        for (i, seconds) in bars.enumerated() where seconds > 0 {
            let (x, barTop) = (left + Double(i) * slot + gap / 2, y(seconds))
            d += "M\(svgNumber(x)) \(svgNumber(barTop))h\(svgNumber(slot - gap))V\(svgNumber(axisTop + plotHeight))h\(svgNumber(gap - slot))z"
        }
        if !d.isEmpty { canvas.path(d, fill: Palette.bar) }
        canvas.line(x1: left, y1: axisTop + plotHeight, x2: left + plotWidth, y2: axisTop + plotHeight, stroke: Palette.ink)
        canvas.line(x1: left, y1: axisTop, x2: left, y2: axisTop + plotHeight, stroke: Palette.ink)
        canvas.line(x1: left, y1: y(mean), x2: left + plotWidth, y2: y(mean), stroke: "#000000", width: 1.5, dash: "6 4")
        canvas.text("mean", x: left + plotWidth + 6, y: y(mean) - 3, size: 12, bold: true)
        canvas.text(Units.seconds(mean), x: left + plotWidth + 6, y: y(mean) + 12, size: 12, bold: true)

        let groupTicks = PanelLayout.indexTicks(count: schedule.workgroups, length: plotWidth, spacing: 60)
        let groupsPerPixel = Double(bars.count * groupsPerBar) / plotWidth
        PanelLayout.xTicks(&canvas, groupTicks.map { (left + (Double($0) + 0.5 * Double(groupsPerBar)) / groupsPerPixel, Units.count($0)) },
                           y: axisTop + plotHeight)
        canvas.text("work-group", x: left + plotWidth / 2, y: axisTop + plotHeight + 38, size: 14, anchor: .middle, bold: true)
        canvas.text("simulated time (\(unit.symbol))", x: left - 58, y: axisTop + plotHeight / 2, size: 14, anchor: .middle, bold: true, rotated: true)
        return canvas.resized(height: axisTop + plotHeight + 56)
    }
}
