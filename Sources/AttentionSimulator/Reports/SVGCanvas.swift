import Foundation

/// A minimal SVG writer. Numbers print with at most two decimals and elements keep their
/// insertion order, so the same drawing always gives the same bytes.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    enum Anchor: String { case start, middle, end }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 1) {
        let outline = stroke.map { " stroke=\"\($0)\" stroke-width=\"\(svgNumber(strokeWidth))\"" } ?? ""
        elements.append(
            "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" fill=\"\(fill)\"\(outline)/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        let dashing = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        elements.append(
            "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" y2=\"\(svgNumber(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(svgNumber(width))\"\(dashing)/>")
    }

    mutating func text(
        _ content: String, x: Double, y: Double, size: Double = 13, anchor: Anchor = .start, bold: Bool = false, rotated: Bool = false
    ) {
        var attributes = "x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" font-size=\"\(svgNumber(size))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotated { attributes += " transform=\"rotate(-90 \(svgNumber(x)) \(svgNumber(y)))\"" }
        elements.append("<text \(attributes)>\(xmlEscape(content))</text>")
    }

    mutating func path(_ d: String, fill: String = "none", stroke: String? = nil, width: Double = 1) {
        let outline = stroke.map { " stroke=\"\($0)\" stroke-width=\"\(svgNumber(width))\"" } ?? ""
        elements.append("<path d=\"\(d)\" fill=\"\(fill)\"\(outline)/>")
    }

    /// A group drawn in cell units: `(col, row)` maps to `(x + col·cellWidth, y + row·cellHeight)`.
    mutating func cells(x: Double, y: Double, cellWidth: Double, cellHeight: Double, paths: [(fill: String, d: String)]) {
        let transform = "translate(\(svgNumber(x)) \(svgNumber(y))) scale(\(svgNumber(cellWidth, decimals: 4)) \(svgNumber(cellHeight, decimals: 4)))"
        elements.append("<g transform=\"\(transform)\" shape-rendering=\"crispEdges\">")
        for path in paths where !path.d.isEmpty { elements.append("<path fill=\"\(path.fill)\" d=\"\(path.d)\"/>") }
        elements.append("</g>")
    }

    /// A swatch and its label; returns the x where the next legend entry may start.
    mutating func legendEntry(x: Double, y: Double, fill: String, label: String, marker: Bool = false) -> Double {
        rect(x: x, y: y - 11, width: 14, height: 14, fill: fill, stroke: "#555555", strokeWidth: 0.8)
        if marker { rect(x: x + 4, y: y - 7, width: 6, height: 6, fill: "#000000") }
        text(label, x: x + 20, y: y)
        return x + 20 + SVGCanvas.textWidth(label, size: 13) + 22
    }

    /// A rough width of sans-serif text, for layout only.
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.58 }

    /// The same drawing on a canvas of another height (panels learn theirs while drawing).
    func resized(height: Double) -> SVGCanvas {
        var copy = SVGCanvas(width: width, height: height)
        copy.elements = elements
        return copy
    }

    /// A complete SVG document; `extra` markup (nested drawings) follows the elements.
    func document(extra: [String] = []) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" "
            + "viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\">\n" + SVGCanvas.style + "\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + (elements + extra).joined(separator: "\n") + "\n</svg>\n"
    }

    /// This drawing nested inside another SVG at `(x, y)`.
    func nested(x: Double, y: Double) -> String {
        "<svg x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\">\n"
            + elements.joined(separator: "\n") + "\n</svg>"
    }

    static let style = "<style>text { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; fill: #222222; }</style>"
}

/// Colours for tile classes: Okabe–Ito blue and orange against light grey stay apart under
/// every common colour-vision deficiency.
enum Palette {
    static let full = "#0b4f8a"
    static let partial = "#e69f00"
    static let skipped = "#e3e3e3"
    static let bar = "#009e73"
    static let ink = "#222222"
    static let grid = "#ffffff"
}

/// `12` → `12`, `12.5` → `12.5`, `1/3` → `0.33`.
func svgNumber(_ value: Double, decimals: Int = 2) -> String {
    var text = String(format: "%.\(decimals)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}

func xmlEscape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// A step of 1, 2 or 5 × 10^k that gives at most `maxTicks` ticks over `0..<span`.
func niceStep(span: Double, maxTicks: Int) -> Double {
    guard span > 0, maxTicks > 0 else { return 1 }
    let raw = span / Double(maxTicks)
    let power = pow(10, floor(log10(raw)))
    for factor in [1.0, 2, 5, 10] where factor * power >= raw { return factor * power }
    return 10 * power
}

/// Splits `text` at `", "` into lines of at most about `limit` characters.
func wrap(_ text: String, limit: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for part in text.components(separatedBy: ", ") {
        let candidate = current.isEmpty ? part : current + ", " + part
        if candidate.count > limit && !current.isEmpty {
            lines.append(current + ",")
            current = part
        } else {
            current = candidate
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}
