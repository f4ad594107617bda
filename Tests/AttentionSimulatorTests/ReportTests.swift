import AttentionPlan
import AttentionSimulator
import AttentionSpec
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG and collects what a reader sees: every `<text>` content.
final class SVGTexts: NSObject, XMLParserDelegate {
    private(set) var texts: [String] = []
    private var current: String?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "text" { current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let current { texts.append(current) }
        current = nil
    }

    /// The texts of a well-formed document, or `nil` when it does not parse.
    static func parse(_ svg: String) -> [String]? {
        let parser = XMLParser(data: Data(svg.utf8))
        let delegate = SVGTexts()
        parser.delegate = delegate
        return parser.parse() ? delegate.texts : nil
    }
}

@Suite struct ReportTests {
    static let causal = AttentionSpec.attention(batch: 2, heads: 4, headDim: 64, tokens: [256]).masked(.causal).tiled(query: [64], key: [64])
    /// Kernels/specs/neighborhood-2d-dilated.json.
    static func neighborhood2D() throws -> AttentionSpec {
        try AttentionSpec.attention(batch: 2, heads: 8, kvHeads: 2, headDim: 64, tokens: [32, 32])
            .masked(.neighborhood(window: [7, 7], dilation: [1, 2], causal: [false, true])).tiled(query: [8, 8], key: [8, 8])
    }

    func renderer(_ spec: AttentionSpec, machine: MachineModel = .h100, focus: Int? = nil) throws -> ReportRenderer {
        let plan = try TilePlan(spec)
        return ReportRenderer(report: SimulationReport(plan: plan, summary: plan.summary(), machine: machine), plan: plan, focusQueryTile: focus)
    }

    @Test func jsonHasEveryRequiredKeyAndDecodesBack() throws {
        let r = try renderer(Self.neighborhood2D())
        let json = r.render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in [
            "queryTiles", "keyTiles", "visitedTilePairs", "fullTilePairs", "partialTilePairs", "allowedPairs", "totalDenseFlops",
            "totalVisitedFlops", "totalUsefulFlops", "flopSpeedupBound", "tileSpeedupBound", "schedule", "backward",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let decoded = try ReportRenderer.jsonDecoder.decode(SimulationReport.self, from: Data(json.utf8))
        #expect(decoded == r.report)
        // Pretty and key-sorted.
        #expect(json.contains("\n  \"allowedPairs\" : "))
        #expect(try #require(json.range(of: "\"allowedPairs\"")).lowerBound < #require(json.range(of: "\"visitedTilePairs\"")).lowerBound)
    }

    @Test func backwardCountsTheSameTilesAtItsOwnCostPerPair() throws {
        let report = try renderer(Self.neighborhood2D()).report
        // headDim = valueDim: the backward's five products cost 2.5× the forward's two.
        #expect(report.backward.totalVisitedFlops == 2.5 * report.totalVisitedFlops)
        #expect(report.backward.totalUsefulFlops == 2.5 * report.totalUsefulFlops)
        #expect(report.backward.totalVisitedFlopsTwoPass == 3.5 * report.totalVisitedFlops)
        #expect(report.backward.tileSpeedupBound == report.tileSpeedupBound)
        #expect(report.backward.transposed.visitedKeyTiles == report.keyTiles)
        #expect(try renderer(Self.neighborhood2D()).render(.text).contains("Backward pass"))
    }

    @Test func jsonWritesAnUnboundedSpeedup() throws {
        // Block-sparse with no listed block: no allowed pair, so the bounds are infinite.
        let layout = BlockSparseLayout(queryBlock: [64], keyBlock: [64], kvIndices: [[], []])
        let spec = AttentionSpec.attention(heads: 1, headDim: 16, tokens: [128]).masked(.blockSparse(layout))
        let json = try renderer(spec).render(.json)
        #expect(json.contains("\"flopSpeedupBound\" : \"Infinity\""))
        #expect(try ReportRenderer.jsonDecoder.decode(SimulationReport.self, from: Data(json.utf8)).flopSpeedupBound == .infinity)
    }

    @Test func textAndMarkdownContainTheFigures() throws {
        let r = try renderer(Self.causal)
        for output in [r.render(.text), r.render(.markdown)] {
            #expect(output.contains(Self.causal.summary))
            #expect(output.contains("H100-SXM5"))
            for figure in [
                "10 of 16", "32,896 of 65,536", "134 MFLOP", "1.99×", "1.60×", "flash", "mask-free", "no (4 partial tile pairs need a mask)",
                "simulated time", "merge time", "wave efficiency", "min 1, mean 2.5, max 4", "work-groups",
            ] {
                #expect(output.contains(figure), "missing \(figure)")
            }
        }
        #expect(r.render(.markdown).contains("| visited tile pairs | 10 of 16 (62.5%) |"))
    }

    @Test func svgIsWellFormedWithTitlesLegendsAndAxes() throws {
        let svg = try renderer(Self.neighborhood2D(), focus: 5).render(.svg)
        let texts = try #require(SVGTexts.parse(svg), "SVG is not well-formed XML")
        let all = texts.joined(separator: "\n")
        for expected in [
            "Block map", "key tile", "query tile", "FULL, no mask (0)", "PARTIAL, masked (60)", "skipped (196)",
            "Neighborhood of query tile 5 on the key grid", "key token, axis 0", "key token, axis 1", "query tile token",
            "Simulated time per work-group", "work-group", "simulated time (µs)", "mean",
        ] {
            #expect(all.contains(expected), "missing \(expected)")
        }
        #expect(texts.contains { $0.hasPrefix("B2 H8/2 d64/64 q[32×32]") }, "title carries the spec summary")
        #expect(texts.contains("15"), "tick numbers")
        #expect(svg.contains("font-family") && svg.contains("sans-serif"))
    }

    @Test func oneDimensionalSingleWorkgroupDrawsOnlyTheBlockMap() throws {
        let spec = AttentionSpec.attention(heads: 1, headDim: 16, tokens: [1], keyTokens: [512]).tiled(query: [16], key: [64])
        let texts = try #require(SVGTexts.parse(try renderer(spec).render(.svg)))
        #expect(texts.contains { $0.contains("Block map") })
        #expect(!texts.contains { $0.contains("Neighborhood") || $0.contains("per work-group") })
    }

    @Test func bigProblemsAreDownsampledUnderTheSizeCap() throws {
        let big1D = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [65536], dtype: .float16)
            .masked(.neighborhood(window: [1024])).tiled(query: [64], key: [64])
        let big3D = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [48, 48, 48], dtype: .float16)
            .masked(.neighborhood(window: [7, 7, 7], dilation: [1, 2, 1])).tiled(query: [4, 4, 4], key: [4, 4, 4])
        for (spec, cells) in [(big1D, "each cell = 4×4 tiles"), (big3D, "each cell = 7×7 tiles")] {
            let svg = try renderer(spec).render(.svg)
            #expect(svg.utf8.count < 2_000_000, "\(svg.utf8.count) bytes")
            let texts = try #require(SVGTexts.parse(svg))
            #expect(texts.contains { $0.contains(cells) }, "subtitle names the cell size")
        }
    }

    @Test func outputIsDeterministic() throws {
        for spec in [Self.causal, try Self.neighborhood2D()] {
            let (a, b) = (try renderer(spec), try renderer(spec))
            for format in ReportFormat.allCases {
                #expect(a.render(format) == b.render(format), "\(format) differs between runs")
            }
        }
    }

    @Test func htmlIsSelfContained() throws {
        let html = try renderer(Self.neighborhood2D()).render(.html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<table>") && html.contains("<td>visited tile pairs</td>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
        let withoutNamespaces = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for external in ["http://", "https://", "src=", "href=", "@import"] {
            #expect(!withoutNamespaces.contains(external), "external resource: \(external)")
        }
    }

    @Test func focusOutsideThePlanFallsBackToTheCentreTile() throws {
        let r = try renderer(Self.neighborhood2D(), focus: 999)
        // Token (16, 16): tile 2 on axis 0; axis 1 is dilated by 2, so token 16 is local 8 of
        // group 0, tile 1 there. Tiles are numbered row-major over 4×4 per-axis tiles: 2·4 + 1.
        #expect(r.focusQueryTile == 9)
    }
}
