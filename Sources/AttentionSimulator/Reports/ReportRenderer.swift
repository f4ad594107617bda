import AttentionPlan
import Foundation

/// Renders a simulation report in any `ReportFormat`. Output is deterministic: the same report
/// and plan give the same bytes.
public struct ReportRenderer: Sendable {
    public let report: SimulationReport
    public let plan: TilePlan
    /// The query tile the neighborhood picture shows; out-of-range values fall back to the centre tile.
    public let focusQueryTile: Int

    public init(report: SimulationReport, plan: TilePlan, focusQueryTile: Int? = nil) {
        self.report = report
        self.plan = plan
        if let focusQueryTile, (0..<plan.queryTiles.count).contains(focusQueryTile) {
            self.focusQueryTile = focusQueryTile
        } else {
            self.focusQueryTile = NeighborhoodPanel.centreTile(of: plan)
        }
    }

    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .text: TextReport(facts: ReportFacts(report)).render()
        case .markdown: MarkdownReport(facts: ReportFacts(report)).render()
        case .json: Self.json(report)
        case .svg: pictures.render()
        case .html: HTMLReport(facts: ReportFacts(report), pictures: pictures).render()
        }
    }

    private var pictures: SVGReport { SVGReport(report: report, plan: plan, focusQueryTile: focusQueryTile) }

    /// Pretty JSON with sorted keys; an unbounded speedup (no allowed pair) is written as "Infinity".
    public static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A decoder that reads what `json(_:)` writes.
    public static var jsonDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
