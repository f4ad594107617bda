import AttentionPlan

/// The pictures of a report: the block map, the neighborhood of one query tile (2-D and 3-D),
/// and the per-work-group load (more than one work-group), stacked into one SVG.
struct SVGReport {
    let panels: [SVGCanvas]

    init(report: SimulationReport, plan: TilePlan, focusQueryTile: Int) {
        panels = [
            BlockMapPanel(plan: plan, report: report).draw(),
            NeighborhoodPanel(plan: plan, focus: focusQueryTile).draw(),
            WorkloadPanel(report: report).draw(),
        ].compactMap { $0 }
    }

    /// One SVG document with the panels one under the other, separated by a rule.
    func render() -> String {
        var stacked = SVGCanvas(width: PanelLayout.width, height: 0)
        var y = 0.0
        var parts: [String] = []
        for (index, panel) in panels.enumerated() {
            if index > 0 {
                stacked.line(x1: PanelLayout.margin, y1: y + 8, x2: PanelLayout.width - PanelLayout.margin, y2: y + 8, stroke: "#cccccc")
                y += 16
            }
            parts.append(panel.nested(x: 0, y: y))
            y += panel.height
        }
        return stacked.resized(height: y).document(extra: parts)
    }
}
