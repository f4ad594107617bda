import AttentionSpec

/// Every buffer a generated program may bind, with its element type, length and (for plan
/// buffers) contents. `OpenCLKernelSource` keeps the ones its kernels use.
struct OpenCLBufferCatalog {
    let spec: AttentionSpec
    /// Rows of a partial slot: the largest query tile.
    let maxQueryRows: Int
    let tables: OpenCLPlanTables

    var all: [OpenCLBufferSpecification] {
        let p = spec.problem
        let storage: OpenCLElementType = switch p.dtype {
        case .float32: .float
        case .float16: .half
        case .bfloat16: .ushort
        }
        let slots = Int(tables.slotOffsets.last ?? 0)
        let rows = maxQueryRows
        let keyRows = p.pages == nil ? "batch, *keyShape" : "pageCount, pageSize (a paged pool)"
        return [
            tensor("q", .input, storage, p.queryTensorShape, "queries [batch, *queryShape, heads, headDim], \(p.dtype.rawValue)"),
            tensor("k", .input, storage, p.keyTensorShape, "keys [\(keyRows), kvHeads, headDim], \(p.dtype.rawValue)"),
            tensor("v", .input, storage, p.valueTensorShape, "values [\(keyRows), kvHeads, valueDim], \(p.dtype.rawValue)"),
            tensor("bias", .input, .float, spec.scores.bias?.shape(for: p) ?? [1], "score bias [batch | 1, heads | 1, queryTokens, keyTokens], float32"),
            tensor("output", .output, p.outputDtype == .float32 ? .float : .ushort, p.outputTensorShape,
                   "attention output [batch, *queryShape, heads, valueDim]\(p.outputDtype == .float32 ? "" : ", \(p.outputDtype.rawValue) bits")"),
            tensor("lse", .output, .float, p.lseTensorShape, "natural-log log-sum-exp [batch, *queryShape, heads]; -inf for rows that see no key"),
            plan("query_tile_offsets", tables.queryTileOffsets, "query tile t holds query_tile_tokens[offsets[t] .. offsets[t + 1])"),
            plan("query_tile_tokens", tables.queryTileTokens, "flat query tokens of each query tile, row-major within the box"),
            plan("key_tile_offsets", tables.keyTileOffsets, "key tile t holds key_tile_tokens[offsets[t] .. offsets[t + 1])"),
            plan("key_tile_tokens", tables.keyTileTokens, "flat key tokens of each key tile, row-major within the box"),
            plan("visit_offsets", tables.visitOffsets, "query tile t visits visits[offsets[t] .. offsets[t + 1]) (in pairs)"),
            plan("visits", tables.visits, "pairs (key tile, 1 if FULL else 0) in the plan's order"),
            plan("segment_offsets", tables.segmentOffsets, "work-group g runs segments[offsets[g] .. offsets[g + 1]) (in sixes)"),
            plan("segments", tables.segments, "(batch, head, query tile, first visit, end visit, partial slot); visits relative to the query tile"),
            plan("slot_offsets", tables.slotOffsets, "output tile o merges partial slots [offsets[o], offsets[o + 1])"),
            plan("mask_table", tables.maskTable, "block pairs listed (block-sparse) or key intervals per query (varlen)"),
            plan("key_slots", tables.keySlots, "pool row of each logical key [batch * key_tokens + key] (paged K/V)"),
            scratch("partial_m", slots * rows, "running max per partial slot and row (slot * MAX_QUERY_ROWS + row)"),
            scratch("partial_l", slots * rows, "running sum per partial slot and row"),
            scratch("partial_acc", slots * rows * p.valueDim, "unnormalised output per partial slot, row and column"),
        ]
    }

    private func tensor(_ name: String, _ role: OpenCLBufferRole, _ type: OpenCLElementType, _ shape: [Int], _ summary: String) -> OpenCLBufferSpecification {
        OpenCLBufferSpecification(name: name, role: role, elementType: type, count: shape.reduce(1, *), shape: shape, contents: nil, summary: summary)
    }

    /// Plan data; an empty table is padded to one element (OpenCL has no empty buffers).
    private func plan(_ name: String, _ values: [Int32], _ summary: String) -> OpenCLBufferSpecification {
        let contents = values.isEmpty ? [0] : values
        return OpenCLBufferSpecification(name: name, role: .plan, elementType: .int, count: contents.count, shape: nil, contents: contents, summary: summary)
    }

    private func scratch(_ name: String, _ count: Int, _ summary: String) -> OpenCLBufferSpecification {
        OpenCLBufferSpecification(name: name, role: .scratch, elementType: .float, count: max(1, count), shape: nil, contents: nil, summary: summary)
    }
}
