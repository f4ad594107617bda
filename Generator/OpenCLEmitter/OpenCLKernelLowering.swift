import AttentionSpec
import KernelIR

/// Lowers the kernels of a `KernelProgram` to OpenCL C, op by op: each `TileOp` becomes one
/// call of its helper (`OpenCLTileHelpers`) under a comment naming the op, each loop op a loop.
/// Also decides each kernel's arguments, which the manifest and the host bind by name.
struct OpenCLKernelLowering {
    let spec: AttentionSpec
    let configuration: OpenCLConfiguration
    let queryTiles: Int

    enum Role { case attention, merge }

    func role(of kernel: KernelFunction) -> Role {
        kernel.body.contains { if case .forEachSegment = $0 { true } else { false } } ? .attention : .merge
    }

    var isFlash: Bool { spec.schedule == .flash }

    // MARK: Arguments

    func arguments(of kernel: KernelFunction) -> [OpenCLKernelArgument] {
        let p = spec.problem
        switch role(of: kernel) {
        case .attention:
            var arguments: [OpenCLKernelArgument] = ["q", "k", "v"].map { .buffer($0, "__global const storage_t*") }
            if kernel.contains(.storeOutput) { arguments += ["output", "lse"].map { .buffer($0, "__global float*") } }
            if kernel.contains(.storePartial) {
                arguments += ["partial_m", "partial_l", "partial_acc"].map { .buffer($0, "__global float*") }
            }
            arguments += ["query_tile_offsets", "query_tile_tokens", "key_tile_offsets", "key_tile_tokens", "visit_offsets", "visits"]
                .map(OpenCLKernelArgument.planBuffer)
            if !isFlash { arguments += ["segment_offsets", "segments"].map(OpenCLKernelArgument.planBuffer) }
            arguments += [.int("heads", p.heads), .int("kv_heads", p.kvHeads), .int("query_tokens", p.queryTokens), .int("key_tokens", p.keyTokens)]
            if isFlash { arguments.append(.int("query_tiles", queryTiles)) }
            arguments.append(OpenCLKernelArgument("scale", "const float", .float(Float(kernel.scale ?? p.effectiveScale))))
            return arguments + configuration.mask.arguments(for: p)
        case .merge:
            return ["partial_m", "partial_l", "partial_acc"].map { .buffer($0, "__global const float*") }
                + ["slot_offsets", "query_tile_offsets", "query_tile_tokens"].map(OpenCLKernelArgument.planBuffer)
                + ["output", "lse"].map { .buffer($0, "__global float*") }
                + [.int("heads", p.heads), .int("query_tokens", p.queryTokens), .int("query_tiles", queryTiles)]
        }
    }

    // MARK: Kernel text

    func source(of kernel: KernelFunction) -> String {
        let declarations = arguments(of: kernel).map(\.declaration)
        let opening = "void \(kernel.name)("
        let signature = opening + declarations.joined(separator: ",\n" + String(repeating: " ", count: opening.count)) + ")"
        let body: [String]
        switch role(of: kernel) {
        case .attention:
            body = localRegisters + [configuration.mask.initializer, ""] + kernel.body.flatMap { attention($0) }
        case .merge:
            body = mergeBody(kernel.body)
        }
        return "__kernel __attribute__((reqd_work_group_size(WG_SIZE, 1, 1)))\n\(signature) {\n"
            + body.map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n}"
    }

    private var localRegisters: [String] {
        [
            "/* Tile registers of the work-group. */",
            "__local int query_rows[MAX_QUERY_ROWS];             /* flat tokens of the query tile */",
            "__local int panel_tokens[PANEL_KEYS];               /* flat tokens of the panel's keys, in visit order */",
            "__local float q_tile[MAX_QUERY_ROWS * HEAD_DIM];    /* Q */",
            "__local float k_columns[HEAD_DIM * PANEL_KEYS];     /* K, transposed */",
            "__local float v_panel[PANEL_KEYS * VALUE_DIM];      /* V */",
            "__local float scores[MAX_QUERY_ROWS * PANEL_KEYS];  /* S, then P = exp(S - m) */",
            "__local float m[MAX_QUERY_ROWS], l[MAX_QUERY_ROWS]; /* running max and sum per row */",
            "__local float rescale[MAX_QUERY_ROWS];              /* exp(m_old - m_new) of the current panel */",
            "__local float acc[MAX_QUERY_ROWS * VALUE_DIM];      /* unnormalised output */",
        ]
    }

    private func block(_ header: [String], _ body: [String], _ footer: [String] = []) -> [String] {
        header + body.map { $0.isEmpty ? "" : "    " + $0 } + footer + ["}"]
    }

    /// One op of an attention kernel.
    private func attention(_ op: TileOp) -> [String] {
        switch op {
        case .forEachSegment(let body):
            let common = [
                "const int rows = tile_size(query_tile_offsets, segment.query_tile);",
                "const int kv_head = segment.head / (heads / kv_heads);  /* GQA: query head h reads kv head h / (heads / kv_heads) */",
            ]
            let inner = body.flatMap { attention($0) }
            if isFlash {
                return ["/* for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits */",
                        "const work_segment segment = flash_segment(get_group_id(0), heads, query_tiles, visit_offsets);"]
                    + common + inner
            }
            return block(
                ["/* for segment in workgroup.segments (the host-built segment table) */",
                 "for (int s = segment_offsets[get_group_id(0)]; s < segment_offsets[get_group_id(0) + 1]; ++s) {",
                 "    const work_segment segment = read_segment(segments, s, visit_offsets);"],
                common + inner)
        case .loadQuery:
            return ["/* Q <- load q[batch, segment.queryTile, head] */",
                    "load_query_tile(query_rows, q_tile, q, query_tile_offsets, query_tile_tokens, segment, rows, heads, query_tokens);"]
        case .initState:
            return ["/* (m, l, acc) <- (-inf, 0, 0) */", "init_state(m, l, acc, rows);"]
        case .forEachPanel(_, let body):
            return block(
                ["/* for panel in plan.visits(segment.queryTile)[segment.range], up to PANEL_KEYS keys each: */",
                 "for (int next = segment.visit_begin; next < segment.visit_end;) {",
                 "    const key_panel panel = gather_panel(next, segment.visit_end, visits, key_tile_offsets, key_tile_tokens, panel_tokens);"],
                body.flatMap { attention($0) }, ["    next = panel.end;"])
        case .loadKey:
            return ["/* K <- load k[batch, panel.keyTiles, kvHead(head)] */",
                    "load_columns(k_columns, panel_tokens, panel.keys, HEAD_DIM, k, segment.batch, key_tokens, kv_heads, kv_head);"]
        case .loadValue:
            return ["/* V <- load v[batch, panel.keyTiles, kvHead(head)] */",
                    "load_rows(v_panel, panel_tokens, panel.keys, VALUE_DIM, v, segment.batch, key_tokens, kv_heads, kv_head);"]
        case .scores:
            return ["/* S <- scale * Q*K^T */", "compute_scores(scores, q_tile, k_columns, rows, panel.keys, scale);"]
        case .maskPartial:
            return ["/* for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows */",
                    "mask_partial_visits(scores, panel, visits, key_tile_offsets, query_rows, rows, panel_tokens, &mask);"]
        case .softmaxUpdate:
            return ["/* (m, l, acc, S) <- online_softmax(m, l, acc, S) */", "softmax_update(scores, m, l, rescale, acc, rows, panel.keys);"]
        case .accumulate:
            return ["/* acc <- acc + S*V */", "accumulate(acc, scores, v_panel, rows, panel.keys);"]
        case .storeOutput:
            return ["/* store out <- acc / l, lse <- m + log l (0, -inf where l = 0) */",
                    "store_output(output, lse, m, l, acc, query_rows, rows, segment, heads, query_tokens);"]
        case .storePartial:
            return ["/* store partial[segment.slot] <- (m, l, acc) */",
                    "store_partial(partial_m, partial_l, partial_acc, m, l, acc, rows, segment.slot);"]
        case .forEachPart, .mergePartial:
            return ["#error \"merge operations belong to merge_partials\""]
        }
    }

    /// The merge kernel: one work-item per output element (row r, column x) runs the ops on
    /// its own scalars (m, l, acc), so the merge needs no local memory and no barrier.
    private func mergeBody(_ ops: [TileOp]) -> [String] {
        [
            "const output_tile tile = decode_output_tile(get_group_id(0), heads, query_tiles);",
            "const int rows = tile_size(query_tile_offsets, tile.query_tile);",
        ] + block(
            ["for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) {",
             "    const int r = e / VALUE_DIM, x = e % VALUE_DIM;"],
            ops.flatMap { merge($0) })
    }

    private func merge(_ op: TileOp) -> [String] {
        switch op {
        case .initState:
            return ["/* (m, l, acc) <- (-inf, 0, 0) */", "float m = -INFINITY, l = 0.0f, acc = 0.0f;"]
        case .forEachPart(let body):
            return block(
                ["/* for part in partials(outputTile): */",
                 "for (int slot = slot_offsets[get_group_id(0)]; slot < slot_offsets[get_group_id(0) + 1]; ++slot) {"],
                body.flatMap { merge($0) })
        case .mergePartial:
            return ["/* (m, l, acc) <- lse_merge((m, l, acc), partial[part]) */",
                    "merge_partial(&m, &l, &acc, partial_m[slot * MAX_QUERY_ROWS + r], partial_l[slot * MAX_QUERY_ROWS + r],",
                    "              partial_acc[((size_t)slot * MAX_QUERY_ROWS + r) * VALUE_DIM + x]);"]
        case .storeOutput:
            return ["/* store out <- acc / l, lse <- m + log l (0, -inf where l = 0) */",
                    "const int token = query_tile_tokens[query_tile_offsets[tile.query_tile] + r];",
                    "const size_t row = ((size_t)tile.batch * query_tokens + token) * heads + tile.head;",
                    "output[row * VALUE_DIM + x] = l == 0.0f ? 0.0f : acc / l;",
                    "if (x == 0) lse[row] = l == 0.0f ? -INFINITY : m + log(l);"]
        default:
            return ["#error \"attention operations belong to the attention kernel\""]
        }
    }
}
