import AttentionPlan
import AttentionSpec

/// The lines every emitted source's header comment shares (OpenCL C and GLSL): the spec, its
/// tiling and plan, the schedule, and the tensor layout — kept ASCII for any compiler.
public enum GeneratedSourceHeader {
    /// `spec:`, `tiling:` and `plan:` lines.
    public static func planLines(spec: AttentionSpec, summary s: PlanSummary) -> [String] {
        let tiles = { (box: [Int]) in "\(grid(box)) (\(box.reduce(1, *)) tokens)" }
        return [
            "spec:     \(spec.summary)",
            "tiling:   query tile \(tiles(spec.tiling.queryTile)), key tile \(tiles(spec.tiling.keyTile));",
            "          \(s.queryTiles) query tiles, \(s.keyTiles) key tiles",
            "plan:     per (batch, head) \(s.visitedTilePairs) visits: \(s.fullTilePairs) FULL (mask-free), \(s.partialTilePairs) PARTIAL (masked per element)",
        ]
    }

    /// What a schedule does, in one line.
    public static func describe(_ schedule: Schedule) -> String {
        switch schedule {
        case .flash:
            "flash: one work-group per (batch, head, query tile), online softmax over its visits"
        case .splitKV(let n):
            "splitKV(\(n)): each query tile's visits in \(n) near-equal chunks, merged by log-sum-exp"
        case .lean(let g):
            "lean(\(g)): all (batch, head, query tile, key tile) work split evenly over \(g) work-groups (stream-K), merged by log-sum-exp"
        }
    }

    public static let layoutLines = [
        "Layout: q [batch, *queryShape, heads, headDim], k and v [batch, *keyShape, kvHeads, headDim | valueDim];",
        "output [batch, *queryShape, heads, valueDim] and lse [batch, *queryShape, heads] in float32 (natural log).",
    ]

    /// The text with the spec summary's ×, · and … spelled in ASCII.
    public static func ascii(_ text: String) -> String {
        text.replacingOccurrences(of: "×", with: "x").replacingOccurrences(of: "·", with: "*").replacingOccurrences(of: "…", with: "...")
    }

    private static func grid(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }
}
