import AttentionPlan
import AttentionSpec

/// The printable form of a program (`attngen emit --target ir`): stable for the same spec, so
/// a change in a generated program shows up in review as a change in this text.
extension KernelProgram {
    public func text(plan: TilePlan? = nil) -> String {
        let p = spec.problem
        let grid = { (shape: [Int]) in shape.map(String.init).joined(separator: "×") }
        var lines = [
            "// AttentionGen kernel IR",
            "// spec: \(spec.summary)",
            "constants",
            "  headDim \(p.headDim), valueDim \(p.valueDim), storage \(p.dtype.rawValue), accumulate float32",
            "  queryTile \(grid(spec.tiling.queryTile)) (\(spec.effectiveTiling.queryTile.reduce(1, *)) tokens), keyTile \(grid(spec.tiling.keyTile)) (\(spec.effectiveTiling.keyTile.reduce(1, *)) tokens)",
            "  scale \(p.effectiveScale), query head h reads kv head h / \(p.headsPerKVHead)",
            "  mask \(spec.mask.kind): applied only on PARTIAL visits",
        ]
        if let modifiers = spec.scores.summary { lines.append("  scores: \(modifiers), on every visit") }
        if let plan {
            let s = plan.summary()
            lines.append("plan (per batch and head)")
            lines.append("  \(s.queryTiles) query tiles, \(s.keyTiles) key tiles, \(s.visitedTilePairs) visits: \(s.fullTilePairs) FULL, \(s.partialTilePairs) PARTIAL")
        }
        let qt = spec.effectiveTiling.queryTile.reduce(1, *)
        let shapes: [String: String] = [
            "Q": "f32[\(qt)×\(p.headDim)]", "K": "f32[\(Self.panelKeys(spec))×\(p.headDim)]", "V": "f32[\(Self.panelKeys(spec))×\(p.valueDim)]",
            "S": "f32[\(qt)×\(Self.panelKeys(spec))]", "acc": "f32[\(qt)×\(p.valueDim)]", "m": "f32[\(qt)]",
        ]
        for kernel in kernels {
            lines.append("")
            lines.append("kernel \(kernel.name)  work-groups: \(kernel.workgroups.text)")
            lines += kernel.body.flatMap { $0.lines(indent: 1, shapes: shapes) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension WorkgroupCount {
    var text: String {
        switch self {
        case .perOutputTile: "batch · heads · queryTiles"
        case .perOutputTileTimes(let n): "batch · heads · queryTiles · \(n)"
        case .fixed(let n): "\(n) (fixed grid)"
        }
    }
}

extension TileOp {
    func lines(indent: Int, shapes: [String: String]) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        func line(_ text: String, _ register: String? = nil) -> [String] {
            guard let register, let shape = shapes[register] else { return [pad + text] }
            return [pad + text.padding(toLength: max(text.count, 52 - pad.count), withPad: " ", startingAt: 0) + "  " + shape]
        }
        func block(_ header: String, _ body: [TileOp]) -> [String] {
            [pad + header] + body.flatMap { $0.lines(indent: indent + 1, shapes: shapes) }
        }
        switch self {
        case .forEachSegment(let body): return block("for segment in workgroup.segments:", body)
        case .loadQuery: return line("Q ← load q[batch, segment.queryTile, head]", "Q")
        case .initState: return line("(m, l, acc) ← (−∞, 0, 0)", "acc")
        case .forEachPanel(let keys, let body):
            return block("for panel in plan.visits(segment.queryTile)[segment.range], up to \(keys) keys each:", body)
        case .loadKey: return line("K ← load k[batch, panel.keyTiles, kvHead(head)]", "K")
        case .loadValue: return line("V ← load v[batch, panel.keyTiles, kvHead(head)]", "V")
        case .scores(let scale): return line("S ← \(scale) · Q·Kᵀ", "S")
        case .modifyScores: return line("S ← softcap·tanh(S / softcap) − slope[head]·|i + Sk − Sq − j|   (the spec's modifiers)", "S")
        case .maskPartial: return line("for visit in panel where visit is PARTIAL: S[:, visit] ← −∞ where !mask.allows")
        case .softmaxUpdate: return line("(m, l, acc, S) ← online_softmax(m, l, acc, S)")
        case .accumulate: return line("acc ← acc + S·V", "acc")
        case .storeOutput: return line("store out ← acc / l, lse ← m + log l   (0, −∞ where l = 0)")
        case .storePartial: return line("store partial[segment.slot] ← (m, l, acc)")
        case .forEachPart(let body): return block("for part in partials(outputTile):", body)
        case .mergePartial: return line("(m, l, acc) ← lse_merge((m, l, acc), partial[part])")
        }
    }
}
