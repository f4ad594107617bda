import OpenCLEmitter

/// The plan tables (`OpenCLPlanTables`, backend-neutral) packed into one `int` buffer, each
/// table at a word offset the shaders receive as a push constant: one binding instead of ten.
struct GLSLPlanBuffer {
    /// (push-constant name, table) in packing order; only the tables the program reads.
    let tables: [(name: String, values: [Int32], summary: String)]
    let words: [Int32]
    /// Push-constant name, word offset, length and meaning of each table.
    let bases: [(name: String, base: Int, count: Int, summary: String)]

    /// `transposed`: also the backward's visitor tables.
    init(tables t: OpenCLPlanTables, segmentTable: Bool, maskTable: Bool, transposed: GradientPlanTables? = nil) {
        var tables: [(String, [Int32], String)] = [
            ("query_tile_offsets", t.queryTileOffsets, "query tile t holds query_tile_tokens[offsets[t] .. offsets[t + 1])"),
            ("query_tile_tokens", t.queryTileTokens, "flat query tokens of each query tile, row-major within the box"),
            ("key_tile_offsets", t.keyTileOffsets, "key tile t holds key_tile_tokens[offsets[t] .. offsets[t + 1])"),
            ("key_tile_tokens", t.keyTileTokens, "flat key tokens of each key tile, row-major within the box"),
            ("visit_offsets", t.visitOffsets, "query tile t visits visits[offsets[t] .. offsets[t + 1]) (in pairs)"),
            ("visits", t.visits, "pairs (key tile, 1 if FULL else 0) in the plan's order"),
        ]
        if segmentTable {
            tables += [
                ("segment_offsets", t.segmentOffsets, "work-group g runs segments[offsets[g] .. offsets[g + 1]) (in sixes)"),
                ("segments", t.segments, "(batch, head, query tile, first visit, end visit, partial slot); visits relative to the query tile"),
                ("slot_offsets", t.slotOffsets, "output tile o merges partial slots [offsets[o], offsets[o + 1])"),
            ]
        }
        if let transposed {
            tables += [
                ("visitor_offsets", transposed.visitorOffsets, "key tile t is visited by visitors[offsets[t] .. offsets[t + 1]) (in pairs)"),
                ("visitors", transposed.visitors, "pairs (query tile, 1 if FULL else 0) in query tile order: the transposed plan"),
            ]
        }
        if maskTable {
            tables.append(("mask_table", t.maskTable, "block pairs listed (block-sparse) or key intervals per query (varlen)"))
        }
        if !t.keySlots.isEmpty {
            tables.append(("key_slots", t.keySlots, "pool row of each logical key [batch * key_tokens + key] (paged K/V)"))
        }
        var words: [Int32] = []
        var bases: [(String, Int, Int, String)] = []
        for (name, values, summary) in tables {
            bases.append((name + "_base", words.count, values.count, summary))
            words += values
        }
        self.tables = tables
        self.words = words.isEmpty ? [0] : words
        self.bases = bases
    }
}
