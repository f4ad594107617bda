/// Shared geometry of the SVG panels, so that the stacked panels line up.
enum PanelLayout {
    static let width = 800.0
    static let margin = 24.0
    /// Left edge of plots: room for tick labels and a rotated axis title.
    static let plotLeft = 96.0
    static let plotMaxWidth = 640.0
    /// Characters per subtitle line at 13 px in the panel width.
    static let subtitleChars = 100

    /// Draws the title and subtitle lines; returns the y below them.
    static func header(_ canvas: inout SVGCanvas, title: String, subtitle: [String]) -> Double {
        canvas.text(title, x: margin, y: 30, size: 17, bold: true)
        var y = 30.0
        for line in subtitle {
            y += 19
            canvas.text(line, x: margin, y: y, size: 13)
        }
        return y + 18
    }

    /// Ticks along a horizontal axis at `positions` (x, label), below `y`.
    static func xTicks(_ canvas: inout SVGCanvas, _ ticks: [(x: Double, label: String)], y: Double) {
        for tick in ticks {
            canvas.line(x1: tick.x, y1: y, x2: tick.x, y2: y + 4, stroke: Palette.ink)
            canvas.text(tick.label, x: tick.x, y: y + 18, size: 12, anchor: .middle)
        }
    }

    /// Ticks along a vertical axis at `positions` (y, label), left of `x`.
    static func yTicks(_ canvas: inout SVGCanvas, _ ticks: [(y: Double, label: String)], x: Double) {
        for tick in ticks {
            canvas.line(x1: x - 4, y1: tick.y, x2: x, y2: tick.y, stroke: Palette.ink)
            canvas.text(tick.label, x: x - 7, y: tick.y + 4, size: 12, anchor: .end)
        }
    }

    /// Index ticks over `0..<count` items, at most one per `spacing` pixels of `length`.
    static func indexTicks(count: Int, length: Double, spacing: Double) -> [Int] {
        let step = max(1, Int(niceStep(span: Double(count), maxTicks: max(1, Int(length / spacing)))))
        return Array(stride(from: 0, to: count, by: step))
    }
}
