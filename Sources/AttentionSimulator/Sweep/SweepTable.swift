import Foundation

/// Renders a sweep outcome as a ranked table (text or Markdown) with the recommendation
/// after it, or as JSON.
public struct SweepTable: Sendable {
    public let outcome: SweepOutcome

    public init(outcome: SweepOutcome) { self.outcome = outcome }

    /// `text`, `markdown` or `json`; `nil` for formats a table has no form in.
    public func render(_ format: ReportFormat) -> String? {
        switch format {
        case .text: text()
        case .markdown: markdown()
        case .json: ReportRenderer.json(outcome)
        case .svg, .html: nil
        }
    }

    private static let header = ["#", "query tile", "key tile", "stride", "time", "vs spec", "FLOP bound", "tile bound", "partial pairs", "mask-free"]

    private var rows: [[String]] {
        let base = outcome.baseline?.simulatedSeconds
        return outcome.ranked.enumerated().map { index, e in
            let isSpec = e.keepsMask && e.tiling == outcome.baseline?.tiling
            return [
                "\(index + 1)", shapeText(e.queryTile), shapeText(e.keyTile),
                (e.stride.map(shapeText) ?? "–") + (e.keepsMask ? "" : " *"),
                Units.seconds(e.simulatedSeconds), base.map { Units.speedup($0 / e.simulatedSeconds) } ?? "–",
                Units.speedup(e.flopSpeedupBound), Units.speedup(e.tileSpeedupBound), Units.count(e.partialTilePairs),
                (e.maskFree ? "yes" : "no") + (isSpec ? " (spec)" : ""),
            ]
        }
    }

    private var notes: [String] {
        var lines = ["\(outcome.simulated) configurations simulated on \(outcome.machine); the \(outcome.ranked.count) fastest shown."]
        if outcome.ranked.contains(where: { !$0.keepsMask }) { lines.append("* stride changed: a different mask (GNA), not the spec's attention.") }
        return lines
    }

    private func text() -> String {
        let table = [Self.header] + rows
        let widths = Self.header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        let lines = table.map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([outcome.spec, ""] + lines + [""] + notes + ["recommendation: \(outcome.recommendation)"]).joined(separator: "\n") + "\n"
    }

    private func markdown() -> String {
        let row = { (cells: [String]) in "| " + cells.joined(separator: " | ") + " |" }
        let lines = ["# Tiling sweep: \(outcome.spec)", "", row(Self.header), row(Self.header.map { _ in "---" })] + rows.map(row)
        return (lines + [""] + notes + ["", "**Recommendation:** \(outcome.recommendation)"]).joined(separator: "\n") + "\n"
    }
}
