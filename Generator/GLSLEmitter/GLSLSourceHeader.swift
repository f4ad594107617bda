import AttentionPlan
import AttentionSpec

/// The comment that opens a `.comp` file: what spec, tiling, plan and schedule it computes, and
/// how a host runs it.
enum GLSLSourceHeader {
    static func text(spec: AttentionSpec, plan: TilePlan, summary s: PlanSummary, shader: GLSLShader, shaders: [GLSLShader],
                     options: GLSLOptions) -> String {
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
        let sequence = shaders.map { "\($0.name) (\($0.workgroups) work-groups of \($0.localSize))" }.joined(separator: ", then ")
        let position = (shaders.firstIndex { $0.name == shader.name } ?? 0) + 1
        let lines = [
            "AttentionGen: generated GLSL 450 compute shader \(position) of \(shaders.count): \(shader.name).",
            "Regenerate with `attngen emit SPEC.json --target glsl`.",
            "",
            "spec:     \(spec.summary)",
            "tiling:   query tile \(tiles(spec.tiling.queryTile)), key tile \(tiles(spec.tiling.keyTile));",
            "          \(s.queryTiles) query tiles, \(s.keyTiles) key tiles",
            "plan:     per (batch, head) \(s.visitedTilePairs) visits: \(s.fullTilePairs) FULL (mask-free), \(s.partialTilePairs) PARTIAL (masked per element)",
            "schedule: \(schedule)",
            "dispatch: \(sequence)",
            "this:     vkCmdDispatch(\(shader.groupCount.map(String.init).joined(separator: ", "))), local size \(shader.localSize); "
                + "\(shader.sharedMemoryBytes) bytes of shared memory;",
            "          at most \(shader.loopIterations) loop iterations per invocation" + (options.unrollTileLoops ? " once [[unroll]] loops are unrolled" : " (tile loops not unrolled)"),
            "",
            "Layout: q [batch, *queryShape, heads, headDim], k and v [batch, *keyShape, kvHeads, headDim | valueDim];",
            "output [batch, *queryShape, heads, valueDim] and lse [batch, *queryShape, heads] in float32 (natural log).",
            "Bindings, push-constant values, specialization constants and the plan data: see the .glsl-manifest.json",
            "written with this file. Needs no optional device feature"
                + (options.sixteenBitStorage && spec.problem.dtype != .float32 ? " but storageBuffer16BitAccess." : "."),
        ]
        return lines.map { ascii($0.isEmpty ? "//" : "// " + $0) }.joined(separator: "\n") + "\n\n"
    }

    static func scheduleName(_ schedule: Schedule) -> String {
        switch schedule {
        case .flash: "flash"
        case .splitKV(let n): "splitKV(\(n))"
        case .lean(let g): "lean(\(g))"
        }
    }

    private static func grid(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    /// Keeps the shader ASCII (the spec summary uses × for grids).
    private static func ascii(_ text: String) -> String {
        text.replacingOccurrences(of: "×", with: "x").replacingOccurrences(of: "·", with: "*").replacingOccurrences(of: "…", with: "...")
    }
}
