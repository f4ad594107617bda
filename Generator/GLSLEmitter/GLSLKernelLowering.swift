import AttentionSpec
import KernelIR

/// Lowers the kernels of a `KernelProgram` to GLSL compute shaders, op by op: each `TileOp`
/// becomes one call of its helper (`GLSLTileHelpers`) under a comment naming the op, each loop
/// op a loop. The only real loops left are over segments, panels (with their visits) and a
/// panel's key chunks, and in the merge over partial slots; everything inside a tile is unrolled.
struct GLSLKernelLowering {
    let spec: AttentionSpec
    let configuration: GLSLConfiguration

    enum Role { case attention, merge }

    func role(of kernel: KernelFunction) -> Role {
        kernel.body.contains { if case .forEachSegment = $0 { true } else { false } } ? .attention : .merge
    }

    var isFlash: Bool { spec.schedule == .flash }

    /// The buffer names a kernel binds.
    func bufferNames(of kernel: KernelFunction) -> [String] {
        switch role(of: kernel) {
        case .attention:
            return ["q", "k", "v"] + (kernel.contains(.storeOutput) ? ["output", "lse"] : []) + ["plan"]
                + (kernel.contains(.storePartial) ? ["partial_m", "partial_l", "partial_acc"] : [])
        case .merge:
            return ["output", "lse", "plan", "partial_m", "partial_l", "partial_acc"]
        }
    }

    // MARK: Shader text

    /// The shader's text after the preamble: registers, helpers and `main`.
    func body(of kernel: KernelFunction) -> String {
        switch role(of: kernel) {
        case .attention:
            var parts = [
                "// ---- Mask predicate ------------------------------------------------------------------------------\n"
                    + configuration.mask.functions,
                attentionRegisters,
                GLSLTileHelpers.attention(maskFunction: configuration.mask.functionName),
            ]
            if kernel.contains(.storeOutput) { parts.append(GLSLTileHelpers.storeOutput) }
            if kernel.contains(.storePartial) { parts.append(GLSLTileHelpers.storePartial) }
            parts.append(main(kernel, kernel.body.flatMap { attention($0) }, guardCount: isFlash ? outputTiles : "pc.segment_groups"))
            return parts.joined(separator: "\n\n")
        case .merge:
            return [
                mergeRegisters,
                GLSLTileHelpers.merge,
                main(kernel, [
                    "const OutputTile tile = decode_output_tile(group);",
                    "const int rows = query_tile_size(tile.query_tile);",
                ] + kernel.body.flatMap { merge($0) }, guardCount: outputTiles),
            ].joined(separator: "\n\n")
        }
    }

    private let outputTiles = "pc.batch * pc.heads * pc.query_tiles"

    private func main(_ kernel: KernelFunction, _ body: [String], guardCount: String) -> String {
        let lines = [
            "const int group = \(GLSLPreamble.groupIndex);",
            "if (group >= \(guardCount)) return;  // padding of the folded (x, y) dispatch; uniform per work-group",
            "",
        ] + body
        return "// ---- Kernel \(kernel.name) ---------------------------------------------------------------------\n"
            + "void main() {\n" + lines.map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n}"
    }

    private var attentionRegisters: String {
        """
        // ---- Work-group registers: the IR's tiles (shared) and this invocation's accumulator (private) ----
        shared int query_rows[MAX_QUERY_ROWS];             // flat tokens of the query tile
        shared int panel_tokens[PANEL_KEYS];               // flat tokens of the panel's keys, in visit order
        shared int panel_masked[PANEL_KEYS];               // 1 where the key's visit is PARTIAL (needs the mask)
        shared float q_tile[MAX_QUERY_ROWS * HEAD_DIM];    // Q
        shared float k_chunk[KEY_CHUNK * HEAD_DIM];        // K: one chunk of the panel's keys
        shared float v_chunk[KEY_CHUNK * VALUE_DIM];       // V: the same chunk
        shared float scores[MAX_QUERY_ROWS * KEY_CHUNK];   // S, then P = exp(S - m)
        shared float m[MAX_QUERY_ROWS], l[MAX_QUERY_ROWS]; // running max and sum per row
        shared float rescale[MAX_QUERY_ROWS];              // exp(m_old - m_new) of the current chunk
        float acc[ACC_STEPS];                              // unnormalised output: element step * WG_SIZE + local_id()
        """
    }

    private var mergeRegisters: String {
        """
        // ---- Registers: one (m, l, acc) per output element this invocation owns (step * WG_SIZE + local_id()).
        // The merge needs no shared memory and no barrier.
        float m[ACC_STEPS], l[ACC_STEPS], acc[ACC_STEPS];
        """
    }

    private func block(_ header: [String], _ body: [String], _ footer: [String] = []) -> [String] {
        header + body.map { $0.isEmpty ? "" : "    " + $0 } + footer + ["}"]
    }

    /// One op of an attention kernel.
    private func attention(_ op: TileOp) -> [String] {
        switch op {
        case .forEachSegment(let body):
            let common = [
                "const int rows = query_tile_size(segment.query_tile);",
                "const int kv_head = segment.head / (pc.heads / pc.kv_heads);  // GQA: query head h reads kv head h / (heads / kv_heads)",
            ]
            let inner = body.flatMap { attention($0) }
            if isFlash {
                return ["// for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits",
                        "const WorkSegment segment = flash_segment(group);"] + common + inner
            }
            return block(
                ["// for segment in workgroup.segments (the host-built segment table)",
                 "for (int s = segment_offset(group); s < segment_offset(group + 1); ++s) {",
                 "    const WorkSegment segment = read_segment(s);"],
                common + inner)
        case .loadQuery:
            return ["// Q <- load q[batch, segment.queryTile, head]", "load_query_tile(segment, rows);"]
        case .initState:
            return ["// (m, l, acc) <- (-inf, 0, 0)", "init_state(rows);"]
        case .forEachPanel(_, let body):
            let chunk = block(
                ["// The panel's keys in chunks of KEY_CHUNK, what shared memory holds of K, V and S at once;",
                 "// online softmax makes the chunking invisible up to float32 rounding.",
                 "for (int first = 0; first < panel.keys; first += KEY_CHUNK) {",
                 "    const int keys = min(KEY_CHUNK, panel.keys - first);"],
                body.flatMap { attention($0) })
            return block(
                ["// for panel in plan.visits(segment.queryTile)[segment.range], up to PANEL_KEYS keys each:",
                 "for (int next = segment.visit_begin; next < segment.visit_end;) {",
                 "    const KeyPanel panel = gather_panel(next, segment.visit_end);"],
                chunk, ["    next = panel.end;"])
        case .loadKey:
            return ["// K <- load k[batch, panel.keyTiles, kvHead(head)]", "load_key_chunk(segment.batch, kv_head, first, keys);"]
        case .loadValue:
            return ["// V <- load v[batch, panel.keyTiles, kvHead(head)]", "load_value_chunk(segment.batch, kv_head, first, keys);"]
        case .scores:
            return ["// S <- scale * Q*K^T", "compute_scores(rows, keys);"]
        case .maskPartial:
            return ["// for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows",
                    "mask_partial_visits(rows, first, keys);"]
        case .softmaxUpdate:
            return ["// (m, l, acc, S) <- online_softmax(m, l, acc, S)", "softmax_update(rows, keys);"]
        case .accumulate:
            return ["// acc <- acc + S*V", "accumulate(rows, keys);"]
        case .storeOutput:
            return ["// store out <- acc / l, lse <- m + log l (0, -inf where l = 0)", "store_output(segment, rows);"]
        case .storePartial:
            return ["// store partial[segment.slot] <- (m, l, acc)", "store_partial(rows, segment.slot);"]
        case .forEachPart, .mergePartial:
            return ["#error merge operations belong to merge_partials"]
        }
    }

    /// One op of the merge kernel: each invocation runs it on the output elements it owns.
    private func merge(_ op: TileOp) -> [String] {
        switch op {
        case .initState:
            return ["// (m, l, acc) <- (-inf, 0, 0)", "init_state();"]
        case .forEachPart(let body):
            return block(
                ["// for part in partials(outputTile):",
                 "for (int slot = slot_offset(group); slot < slot_offset(group + 1); ++slot) {"],
                body.flatMap { merge($0) })
        case .mergePartial:
            return ["// (m, l, acc) <- lse_merge((m, l, acc), partial[part])", "merge_partial(slot, rows);"]
        case .storeOutput:
            return ["// store out <- acc / l, lse <- m + log l (0, -inf where l = 0)", "store_output(tile, rows);"]
        default:
            return ["#error attention operations belong to the attention kernel"]
        }
    }
}
