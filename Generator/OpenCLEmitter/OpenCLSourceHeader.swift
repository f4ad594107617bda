import AttentionPlan
import AttentionSpec
import Foundation

/// The comment that opens a `.cl` file: what spec, tiling, plan and schedule it computes.
enum OpenCLSourceHeader {
    static func text(spec: AttentionSpec, plan: TilePlan, summary s: PlanSummary, launches: [OpenCLKernelLaunch]) -> String {
        let tiles = { (box: [Int]) in "\(grid(box)) (\(box.reduce(1, *)) tokens)" }
        let schedule: String
        switch spec.schedule {
        case .flash:
            schedule = "flash: one work-group per (batch, head, query tile), online softmax over its visits"
        case .splitKV(let n):
            schedule = "splitKV(\(n)): each query tile's visits in \(n) near-equal chunks, merged by log-sum-exp"
        case .lean(let g):
            schedule = "lean(\(g)): all (batch, head, query tile, key tile) work split evenly over \(g) work-groups (stream-K), merged by log-sum-exp"
        }
        let kernels = launches.map { "\($0.kernel) (\($0.workgroups) work-groups of \($0.localSize))" }.joined(separator: ", then ")
        let lines = [
            "AttentionGen: generated OpenCL C 1.2. Regenerate with `attngen emit SPEC.json --target opencl`.",
            "",
            "spec:     \(spec.summary)",
            "tiling:   query tile \(tiles(spec.tiling.queryTile)), key tile \(tiles(spec.tiling.keyTile));",
            "          \(s.queryTiles) query tiles, \(s.keyTiles) key tiles",
            "plan:     per (batch, head) \(s.visitedTilePairs) visits: \(s.fullTilePairs) FULL (mask-free), \(s.partialTilePairs) PARTIAL (masked per element)",
            "schedule: \(schedule)",
            "kernels:  \(kernels)",
            "",
            "Layout: q [batch, *queryShape, heads, headDim], k and v [batch, *keyShape, kvHeads, headDim | valueDim];",
            "output [batch, *queryShape, heads, valueDim] and lse [batch, *queryShape, heads] in float32 (natural log).",
            "Kernel arguments, buffers and the plan data: see the .manifest.json written with this file.",
        ]
        return "/*\n" + lines.map { ascii($0.isEmpty ? " *" : " * " + $0) }.joined(separator: "\n") + "\n */\n"
    }

    private static func grid(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    /// Keeps the C source ASCII (the spec summary uses × for grids).
    private static func ascii(_ text: String) -> String {
        text.replacingOccurrences(of: "×", with: "x").replacingOccurrences(of: "·", with: "*")
    }
}
