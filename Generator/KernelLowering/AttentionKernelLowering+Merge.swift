import KernelIR

/// The merge kernel of split-KV and lean schedules: partial results combined by log-sum-exp.
extension AttentionKernelLowering {
    /// The merge kernel's statements after `group` is defined: one invocation per output element
    /// (row r, column x) runs the ops on its own scalars, so the merge needs no shared memory.
    public func mergeBody(_ kernel: KernelFunction, workgroupSize: Int) -> [String] {
        let d = dialect
        let tiles = d.scalar("query_tiles"), heads = d.scalar("heads")
        return [
            "const int tile_batch = group / (\(tiles) * \(heads)), tile_head = (group / \(tiles)) % \(heads), tile_query = group % \(tiles);",
            "const int rows = \(d.plan("query_tile_offsets", "tile_query + 1")) - \(d.plan("query_tile_offsets", "tile_query"));",
        ] + tileLoop("step", (facts.maxQueryRows * facts.valueDim + workgroupSize - 1) / workgroupSize) { step in [
            "const int e = \(step) * \(workgroupSize) + \(d.localID);",
            "const int r = e / VALUE_DIM, x = e % VALUE_DIM;",
            "if (r < rows) {",
        ] + self.indent(kernel.body.flatMap(self.merge)) + ["}"] }
    }

    private func merge(_ op: TileOp) -> [String] {
        let d = dialect
        switch op {
        case .initState:
            return [d.comment("(m, l, acc) <- (-inf, 0, 0)"), "float m = \(d.negativeInfinity), l = 0.0f, acc = 0.0f;"]
        case .forEachPart(let body):
            return block(
                [d.comment("for part in partials(outputTile):"),
                 "for (int slot = \(d.plan("slot_offsets", "group")); slot < \(d.plan("slot_offsets", "group + 1")); ++slot) {"],
                body.flatMap(merge))
        case .mergePartial:
            return [
                d.comment("(m, l, acc) <- lse_merge((m, l, acc), partial[part]); an empty part (l_i = 0) adds nothing, a NaN one makes the row NaN"),
                "const float part_m = \(d.buffer("partial_m"))[slot * MAX_QUERY_ROWS + r];",
                "const float part_l = \(d.buffer("partial_l"))[slot * MAX_QUERY_ROWS + r];",
                "if (part_l != 0.0f) {",
                "    const float merged = max(m, part_m);",
                "    const float own = m == \(d.negativeInfinity) ? 0.0f : exp(m - merged);",
                "    const float other = exp(part_m - merged);",
                "    l = l * own + part_l * other;",
                "    acc = acc * own + \(d.buffer("partial_acc"))[(\(d.index("slot")) * \(d.index("MAX_QUERY_ROWS")) + \(d.index("r"))) * \(d.index("VALUE_DIM")) + \(d.index("x"))] * other;",
                "    m = merged;",
                "}",
            ]
        case .storeOutput:
            return [
                d.comment("store out <- acc / l, lse <- m + log l (0, -inf where l = 0)"),
                "const int token = \(d.plan("query_tile_tokens", d.plan("query_tile_offsets", "tile_query") + " + r"));",
                "const \(d.indexType) row = \(tensorRow("tile_batch", "token", "query_tokens", "heads", "tile_head"));",
                output.store("row * \(d.index("VALUE_DIM")) + \(d.index("x"))", "l == 0.0f ? 0.0f : acc / l"),
                "if (x == 0) \(d.buffer("lse"))[row] = l == 0.0f ? \(d.negativeInfinity) : m + log(l);",
            ]
        default:
            return ["#error attention operations belong to the attention kernel"]
        }
    }
}
