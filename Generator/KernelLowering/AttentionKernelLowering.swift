import AttentionSpec
import KernelIR

/// The one lowering of the IR's kernels, for both dialects: the attention kernel in
/// FlashAttention-2's forward shape under a `KernelStrategy`, and the merge of partials.
///
/// Attention: Q stays in shared memory (transposed) for the whole segment; per block of
/// `BLOCK_KEYS` keys, K is staged in chunks of `HEAD_CHUNK` dims and each invocation
/// accumulates its micro-tile of S in registers; PARTIAL visits are masked in registers; the
/// online softmax reduces each row's maximum across the `KEY_THREADS` invocations that share
/// it, keeps each invocation's share of the row sum `l` (all shares are rescaled alike, so they
/// are summed once, at the end) and writes P to shared memory; V is staged in parts of
/// `VALUE_KEYS` keys and each invocation adds P·V into its micro-tile of O, in registers.
/// Every barrier is reached in uniform control flow: loop bounds come from the plan (uniform
/// per work-group) or are compile-time constants.
public struct AttentionKernelLowering: Sendable {
    public let dialect: KernelDialect
    public let strategy: KernelStrategy
    public let facts: KernelFacts
    /// Flash derives its one segment from the work-group; split-KV and lean read the segment table.
    public let flash: Bool
    /// `bool NAME(int query, int key, …)`: the mask predicate of the dialect's mask lowering.
    public let maskFunction: String
    /// The spec's softcap and ALiBi (`.modifyScores`).
    public let scores: ScoreLowering
    /// How the output is stored (float32, or narrowed to 16 bits).
    public let output: OutputStorage
    /// The shared-memory layout of a cooperative-matrix strategy (nil: SIMT), derived once.
    let layout: CooperativeMatrixLayout?

    public init(
        dialect: KernelDialect, strategy: KernelStrategy, facts: KernelFacts, flash: Bool, maskFunction: String,
        scores: ScoreLowering, output: OutputStorage? = nil
    ) {
        self.output = output ?? OutputStorage(.float32, dialect: dialect)
        layout = CooperativeMatrixLayout(strategy, facts)
        self.dialect = dialect
        self.strategy = strategy
        self.facts = facts
        self.flash = flash
        self.maskFunction = maskFunction
        self.scores = scores
    }

    /// The strategy's compile-time constants (beside the configuration's HEAD_DIM, VALUE_DIM,
    /// MAX_QUERY_ROWS, MAX_KEY_ROWS, PANEL_KEYS and WG_SIZE), in source order.
    public var constants: [(name: String, value: Int, comment: String)] {
        if let layout { return cooperativeConstants(layout) }
        let s = strategy
        let wg = s.workgroupSize
        func steps(_ n: Int) -> Int { (n + wg - 1) / wg }
        let columns = s.outputColumns(valueDim: facts.valueDim)
        return microTileConstants + [
            ("HEAD_CHUNK", s.headChunk, "dims of K staged at once"),
            ("VALUE_KEYS", s.valueKeys, "keys of V staged at once"),
            ("Q_STRIDE", s.tileRows + 1, "words per dim of the transposed Q tile"),
            ("K_STRIDE", s.blockKeys + 1, "words per dim of the transposed K chunk"),
            ("V_STRIDE", s.keyThreads * columns, "words per key of the V part"),
            ("STAGE_FLOATS", s.stageFloats(facts), "the K/V stage"),
            ("ROW_STEPS", steps(s.tileRows), "steps of a loop over the tile's rows"),
            ("QUERY_STEPS", steps(s.tileRows * facts.headDim), "steps of the Q load"),
            ("KEY_TILE_STEPS", steps(facts.maxKeyRows), "steps of a key tile's token copy"),
            ("KEY_STEPS", steps(s.blockKeys * s.headChunk), "steps of a K chunk's load"),
            ("VALUE_STEPS", steps(s.valueKeys * facts.valueDim), "steps of a V part's load"),
        ]
    }

    /// The invocation grid and micro-tiles (of S and O; under cooperative matrices, the softmax's).
    var microTileConstants: [(name: String, value: Int, comment: String)] {
        let s = strategy
        return [
            ("TILE_ROWS", s.tileRows, "query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD"),
            ("ROW_THREADS", s.rowThreads, "invocations along the rows"),
            ("KEY_THREADS", s.keyThreads, "invocations along a block's keys (they share rows)"),
            ("ROWS_PER_THREAD", s.rowsPerThread, "micro-tile rows of S and O per invocation"),
            ("KEYS_PER_THREAD", s.keysPerThread, "micro-tile keys of S per invocation"),
            ("BLOCK_KEYS", s.blockKeys, "keys scored per step: KEY_THREADS x KEYS_PER_THREAD"),
            ("OUT_COLUMNS", s.outputColumns(valueDim: facts.valueDim), "micro-tile columns of O per invocation"),
        ]
    }

    // MARK: Shared memory

    /// The work-group arrays of the attention kernel (OpenCL: at the top of the kernel; GLSL: at
    /// file scope).
    public var sharedDeclarations: [String] {
        if let layout { return cooperativeSharedDeclarations(layout) }
        let d = dialect
        return [
            d.comment("Work-group tiles: Q transposed, the K/V stage, P, the row reduction, token lists."),
            d.shared("float", "q_tile", "HEAD_DIM * Q_STRIDE") + "       " + d.comment("Q[row][x] at x * Q_STRIDE + row"),
            d.shared("float", "stage", "STAGE_FLOATS") + "              " + d.comment("K chunk [x][key] or V part [key][x]"),
            d.shared("float", "p_tile", "TILE_ROWS * BLOCK_KEYS") + "     " + d.comment("P = exp(S - m) of the block"),
        ] + rowAndTokenDeclarations
    }

    /// The row reduction's array (without shuffles) and the token lists.
    var rowAndTokenDeclarations: [String] {
        let d = dialect
        return (shuffles ? [] : [
            d.shared("float", "row_share", "TILE_ROWS * KEY_THREADS") + "  " + d.comment("per-invocation row maxima, then sums"),
        ]) + [
            d.shared("int", "query_rows", "TILE_ROWS") + "               " + d.comment("flat tokens of the query tile"),
            d.shared("int", "panel_tokens", "PANEL_KEYS") + "            " + d.comment("flat tokens of the panel's keys, in visit order"),
            d.shared("int", "panel_masked", "PANEL_KEYS") + "            " + d.comment("1 where the key's visit is PARTIAL"),
        ] + (facts.paged ? [
            d.shared("int", "panel_rows", "PANEL_KEYS") + "              " + d.comment("pool rows of the panel's keys (the paged cache)"),
        ] : [])
    }

    // MARK: Attention kernel

    var rowsPerThread: Int { strategy.rowsPerThread }
    /// Rows are reduced by subgroup shuffles rather than through `row_share`.
    var shuffles: Bool { strategy.reduction == .subgroupShuffle }

    /// `value` combined by `op` (`max` or `+`) across the KEY_THREADS adjacent invocations of
    /// its row: a butterfly of shuffles, after which every one of them holds the result.
    func shuffleReduced(_ name: String, _ op: String) -> [String] {
        var offset = 1
        var lines: [String] = []
        while offset < strategy.keyThreads {
            let other = dialect.shuffleXor(name, offset)
            lines.append(op == "max" ? "\(name) = max(\(name), \(other));" : "\(name) += \(other);")
            offset *= 2
        }
        return lines
    }
    var keysPerThread: Int { strategy.keysPerThread }
    var columns: Int { strategy.outputColumns(valueDim: facts.valueDim) }
    /// Vector width of the micro-tile's registers; S holds `scoreGroups` and O `outputGroups`
    /// of them per row.
    var width: Int { strategy.vectorWidth }
    var scoreGroups: Int { keysPerThread / width }
    var outputGroups: Int { columns / width }
    var vector: String { dialect.vector(width) }

    /// First key column of S register group `g` of this invocation (its lanes follow it).
    func keyColumn(_ g: Int) -> String {
        width == 1 ? "cg + \(g * strategy.keyThreads)" : "cg * \(keysPerThread) + \(g * width)"
    }

    /// First output column of O register group `g`.
    func outputColumn(_ g: Int) -> String {
        width == 1 ? "cg + \(g * strategy.keyThreads)" : "cg * \(columns) + \(g * width)"
    }

    /// The key column of lane `lane` of S group `g`.
    func keyColumn(_ g: Int, lane: Int) -> String { lane == 0 ? keyColumn(g) : "\(keyColumn(g)) + \(lane)" }
    func steps(_ n: Int) -> Int { (n + strategy.workgroupSize - 1) / strategy.workgroupSize }

    /// The attention kernel's statements, after `group` (the work-group index) and, in OpenCL,
    /// the mask record are defined. The micro-tiles are named scalars (`s<i>_<j>`, `o<i>_<j>`,
    /// `m<i>`, `l<i>`), never arrays: a CPU driver that vectorises across work-items (PoCL) keeps
    /// them in vector registers, and GPUs keep them in registers either way.
    public func attentionBody(_ kernel: KernelFunction) -> [String] {
        let d = dialect
        let outputs = (0..<rowsPerThread).flatMap { i in (0..<outputGroups).map { "o\(i)_\($0)" } }
        let registers = layout != nil ? cooperativeIdentifiers : [
            d.comment(width == 1 ? "O micro-tile: o<i>_<j> holds row rg + i*ROW_THREADS, column cg + j*KEY_THREADS"
                : "O micro-tile: o<i>_<j> holds row rg + i*ROW_THREADS, columns cg*OUT_COLUMNS + j*\(width) on"),
            "\(vector) " + outputs.joined(separator: ", ") + ";",
        ]
        return [
            "const int lid = \(d.localID);",
            "const int rg = lid / KEY_THREADS, cg = lid % KEY_THREADS;  " + d.comment("this invocation's row and key group"),
        ] + registers + [
            d.comment("running max and this invocation's share of the row sum, per micro-tile row"),
            "float " + (0..<rowsPerThread).map { "m\($0), l\($0)" }.joined(separator: ", ") + ";",
            "",
        ] + kernel.body.flatMap(attention)
    }

    private func attention(_ op: TileOp) -> [String] {
        let d = dialect
        switch op {
        case .forEachSegment(let body):
            let common = [
                "const int rows = \(d.plan("query_tile_offsets", "seg_query_tile + 1")) - \(d.plan("query_tile_offsets", "seg_query_tile"));",
                "const int kv_head = seg_head / (\(d.scalar("heads")) / \(d.scalar("kv_heads")));  " + d.comment("GQA: query head h reads kv head h / (heads / kv_heads)"),
            ]
            let inner = body.flatMap(attention)
            if flash {
                let tiles = d.scalar("query_tiles"), heads = d.scalar("heads")
                return [
                    d.comment("for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits"),
                    "const int seg_batch = group / (\(tiles) * \(heads)), seg_head = (group / \(tiles)) % \(heads), seg_query_tile = group % \(tiles);",
                    "const int seg_begin = \(d.plan("visit_offsets", "seg_query_tile")), seg_end = \(d.plan("visit_offsets", "seg_query_tile + 1")), seg_slot = 0;",
                ] + common + inner
            }
            return block(
                [d.comment("for segment in workgroup.segments (the host-built segment table: six ints each, visits relative to the tile's)"),
                 "for (int s = \(d.plan("segment_offsets", "group")); s < \(d.plan("segment_offsets", "group + 1")); ++s) {",
                 "    const int seg_batch = \(d.plan("segments", "6 * s")), seg_head = \(d.plan("segments", "6 * s + 1")), seg_query_tile = \(d.plan("segments", "6 * s + 2"));",
                 "    const int first_visit = \(d.plan("visit_offsets", "seg_query_tile"));",
                 "    const int seg_begin = first_visit + \(d.plan("segments", "6 * s + 3")), seg_end = first_visit + \(d.plan("segments", "6 * s + 4")), seg_slot = \(d.plan("segments", "6 * s + 5"));"]
                    + indent(sync("the previous segment's readers of q_tile and query_rows are done")),
                common + inner)
        case .loadQuery:
            if let layout { return cooperativeQueryLoad(layout) }
            return queryLoad(
                "Q <- load q[batch, segment.queryTile, head], transposed; rows past the tile are zero",
                width: ("HEAD_DIM", facts.headDim), inside: "r < rows", store: "q_tile[x * Q_STRIDE + r] = value;")
        case .initState:
            if let layout { return cooperativeInitialState(layout) }
            return [d.comment("(m, l, acc) <- (-inf, 0, 0)")]
                + (0..<rowsPerThread).map { i in
                    "m\(i) = \(d.negativeInfinity); l\(i) = 0.0f; " + (0..<outputGroups).map { "o\(i)_\($0) = \(d.splat(width, "0.0f"));" }.joined(separator: " ")
                }
        case .forEachPanel(_, let body):
            return panelLoop(body.flatMap(attention))
        case .loadKey:
            return [d.comment("K <- load k[batch, panel.keyTiles, kvHead(head)]: staged HEAD_CHUNK dims at a time inside S <- Q*K^T")]
        case .loadValue:
            return [d.comment("V <- load v[batch, panel.keyTiles, kvHead(head)]: staged VALUE_KEYS keys at a time inside acc += P*V")]
        case .scores:
            if let layout { return cooperativeScores(layout) }
            return scoreProducts
        case .modifyScores:
            return modifiedScores
        case .maskPartial:
            return maskPartial
        case .softmaxUpdate:
            return softmaxUpdate
        case .accumulate:
            if let layout { return cooperativeAccumulate(layout) }
            return accumulate
        case .storeOutput:
            return rowSums + outputVisible + [d.comment("store out <- acc / l, lse <- m + log l (0, -inf where l = 0)")]
                + (0..<rowsPerThread).flatMap { i in
                    block([
                        "if (rg + \(i * strategy.rowThreads) < rows) {",
                        "    const \(d.indexType) row = \(tensorRow("seg_batch", "query_rows[rg + \(i * strategy.rowThreads)]", "query_tokens", "heads", "seg_head"));",
                    ], (0..<outputGroups).map { j in
                        let x = outputColumn(j)
                        let value = "(l\(i) == 0.0f ? \(d.splat(width, "0.0f")) : \(outputCell(i, j)) / l\(i))"
                        if width == 1 { return "if (\(x) < VALUE_DIM) " + self.output.store("row * \(d.index("VALUE_DIM")) + \(d.index(x))", value) }
                        return self.output.storeVector(width, value, "row * \(d.index("VALUE_DIM")) + \(d.index(x))")
                    } + ["if (cg == 0) \(d.buffer("lse"))[row] = l\(i) == 0.0f ? \(d.negativeInfinity) : m\(i) + log(l\(i));"])
                }
        case .storePartial:
            return rowSums + outputVisible + [d.comment("store partial[segment.slot] <- (m, l, acc); a slot has room for MAX_QUERY_ROWS rows")]
                + (0..<rowsPerThread).flatMap { i in
                    let r = "rg + \(i * strategy.rowThreads)"
                    return block([
                        "if (\(r) < rows) {",
                        "    if (cg == 0) { \(d.buffer("partial_m"))[seg_slot * MAX_QUERY_ROWS + \(r)] = m\(i); \(d.buffer("partial_l"))[seg_slot * MAX_QUERY_ROWS + \(r)] = l\(i); }",
                    ], (0..<outputGroups).map { j in
                        let x = outputColumn(j)
                        let offset = "(\(d.index("seg_slot")) * \(d.index("MAX_QUERY_ROWS")) + \(d.index(r))) * \(d.index("VALUE_DIM")) + \(d.index(x))"
                        if width == 1 { return "if (\(x) < VALUE_DIM) \(d.buffer("partial_acc"))[\(offset)] = \(outputCell(i, j));" }
                        return d.storeVector(width, "o\(i)_\(j)", d.buffer("partial_acc"), offset)
                    })
                }
        case .forEachPart, .mergePartial:
            return ["#error merge operations belong to merge_partials"]
        }
    }

    /// Q <- the query tile: its tokens into `query_rows`, then element (r, x) for x below the
    /// `width` constant, loaded where `inside` holds (else zero) and stored by `store` (of `value`).
    func queryLoad(_ comment: String, width: (name: String, value: Int), inside: String, store: String) -> [String] {
        let d = dialect
        let token = d.plan("query_tile_tokens", d.plan("query_tile_offsets", "seg_query_tile") + " + r")
        return [d.comment(comment)]
            + expanded(steps(strategy.tileRows)) { step in [
                "const int r = \(step) * WG_SIZE + lid;",
                "if (r < TILE_ROWS) query_rows[r] = r < rows ? \(token) : 0;",
            ] }
            + tileLoop("step", steps(strategy.tileRows * width.value)) { step in [
                "const int e = \(step) * WG_SIZE + lid;",
                "const int r = e / \(width.name), x = e % \(width.name);",
                "if (r < TILE_ROWS) {",
                "    float value = 0.0f;",
                "    if (\(inside)) {",
                "        const int token = \(token);",
                "        value = \(d.load("q", tensorRow("seg_batch", "token", "query_tokens", "heads", "seg_head") + " * \(d.index("HEAD_DIM")) + \(d.index("x"))"));",
                "    }",
                "    \(store)",
                "}",
            ] }
            + sync()
    }

    /// The panels of the segment: consecutive visits grouped while the next still fits in
    /// PANEL_KEYS keys (every invocation computes the same grouping from the plan: `KeyPanels`'
    /// rule), their key tokens gathered into shared memory, then the panel's keys in blocks of
    /// BLOCK_KEYS.
    private func panelLoop(_ body: [String]) -> [String] {
        let d = dialect
        let tileSize = { (tile: String) in "\(d.plan("key_tile_offsets", "\(tile) + 1")) - \(d.plan("key_tile_offsets", tile))" }
        let visitTile = { (visit: String) in d.plan("visits", "2 * \(visit)") }
        let visitFull = { (visit: String) in "\(d.plan("visits", "2 * \(visit) + 1")) != 0" }
        let gather = [
            d.comment("group visits from `next` while the next one still fits in PANEL_KEYS keys"),
            "int panel_end = next + 1, panel_keys = \(tileSize(visitTile("next")));",
            "bool panel_partial = !(\(visitFull("next")));",
            "while (panel_end < seg_end) {",
            "    const int more = \(tileSize(visitTile("panel_end")));",
            "    if (panel_keys + more > PANEL_KEYS) break;",
            "    panel_partial = panel_partial || !(\(visitFull("panel_end")));",
            "    panel_keys += more;",
            "    panel_end += 1;",
            "}",
        ] + sync("the previous panel's readers of the token lists are done")
        + block(
            ["for (int v = next, column = 0; v < panel_end; ++v) {",
             "    const int tile = \(visitTile("v"));",
             "    const int count = \(tileSize("tile"));",
             "    const int masked = \(visitFull("v")) ? 0 : 1;"],
            expanded(steps(facts.maxKeyRows)) { step in [
                "const int t = \(step) * WG_SIZE + lid;",
                "if (t < count) {",
                "    panel_tokens[column + t] = \(d.plan("key_tile_tokens", d.plan("key_tile_offsets", "tile") + " + t"));",
                "    panel_masked[column + t] = masked;",
            ] + (facts.paged ? [
                "    panel_rows[column + t] = \(d.plan("key_slots", "seg_batch * \(d.scalar("key_tokens")) + panel_tokens[column + t]"));",
            ] : []) + [
                "}",
            ] }, ["    column += count;"])
        + sync()
        let blocks = block(
            [d.comment("the panel's keys, BLOCK_KEYS at a time; online softmax makes the blocking invisible up to float32 rounding"),
             "for (int first = 0; first < panel_keys; first += BLOCK_KEYS) {",
             "    const int keys = min(BLOCK_KEYS, panel_keys - first);"],
            body)
        return block(
            [d.comment("for panel in plan.visits(segment.queryTile)[segment.range], up to PANEL_KEYS keys each:"),
             "for (int next = seg_begin; next < seg_end;) {"],
            gather + blocks, ["    next = panel_end;"])
    }

    /// S <- scale * Q*K^T for the block: K chunks staged transposed, the micro-tile in registers.
    private var scoreProducts: [String] {
        let d = dialect
        let s = strategy
        let registers = (0..<rowsPerThread).flatMap { i in (0..<scoreGroups).map { "s\(i)_\($0) = \(d.splat(width, "0.0f"))" } }
        let load = { (chunk: String) in self.tileLoop("step", self.steps(s.blockKeys * s.headChunk), expandUpTo: Self.loadExpansion) { step in [
            "const int e = \(step) * WG_SIZE + lid;",
            "const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;",
            "if (c < BLOCK_KEYS) {",
            "    float value = 0.0f;",
            "    if (c < keys) value = \(d.load("k", keyRow("first + c") + " * \(d.index("HEAD_DIM")) + \(d.index("\(chunk) + x"))"));",
            "    stage[x * K_STRIDE + c] = value;",
            "}",
        ] } }
        let product = { (chunk: String) in self.tileLoop("x", s.headChunk) { x in
            (0..<self.rowsPerThread).map { i in "const float q\(i) = q_tile[(\(chunk) + \(x)) * Q_STRIDE + rg + \(i * s.rowThreads)];" }
                + (0..<self.scoreGroups).map { j in "const \(self.vector) k\(j) = \(d.loadVector(self.width, "stage", "\(x) * K_STRIDE + \(self.keyColumn(j))"));" }
                + (0..<self.rowsPerThread).map { i in (0..<self.scoreGroups).map { j in "s\(i)_\(j) += q\(i) * k\(j);" }.joined(separator: " ") }
        } }
        return [d.comment("S <- scale * Q*K^T over the block's keys, in registers"), "\(vector) " + registers.joined(separator: ", ") + ";"]
            + tileLoop("chunk", facts.headDim / s.headChunk, stride: s.headChunk,
                       expandUpTo: Self.passExpansion(loadSteps: steps(s.blockKeys * s.headChunk))) { chunk in
                sync("the stage's previous readers are done") + load(chunk) + sync() + product(chunk)
            }
            + (0..<rowsPerThread).map { i in (0..<scoreGroups).map { j in "s\(i)_\(j) *= \(d.scalar("scale"));" }.joined(separator: " ") }
    }

    /// S <- the spec's modifiers, in registers: the softcap on whole registers, ALiBi per lane
    /// (each lane's key token is in `panel_tokens`).
    private var modifiedScores: [String] {
        let d = dialect
        let softcap = (0..<rowsPerThread).flatMap { i in (0..<scoreGroups).flatMap { scores.softcapped("s\(i)_\($0)") } }
        let alibi = (0..<rowsPerThread).flatMap { i in
            (0..<scoreGroups).flatMap { g in (0..<width).flatMap { lane in
                let c = keyColumn(g, lane: lane)
                return scores.biased(
                    d, d.lane("s\(i)_\(g)", lane, width: width), batch: "seg_batch", query: "query_rows[rg + \(i * strategy.rowThreads)]",
                    key: "panel_tokens[first + \(c)]", head: "seg_head", valid: "\(c) < keys")
            } }
        }
        return [d.comment("S <- softcap, then ALiBi and the bias tensor (the spec's score modifiers), on every visit")] + softcap + alibi
    }

    /// -inf for keys past the block, and where a PARTIAL visit's mask disallows the pair.
    private var maskPartial: [String] {
        let d = dialect
        return [d.comment("for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows; and keys past the panel")]
            + (0..<scoreGroups).flatMap { g in (0..<width).flatMap { lane in
                let c = keyColumn(g, lane: lane)
                return block([
                    "{",
                    "    const bool outside = \(c) >= keys;",
                    "    const bool check = !outside && panel_partial && panel_masked[first + \(c)] != 0;",
                ], (0..<rowsPerThread).map { i in
                    let r = "rg + \(i * strategy.rowThreads)"
                    return "if (outside || (check && \(r) < rows && !\(d.maskAllows(maskFunction, "query_rows[\(r)]", "panel_tokens[first + \(c)]")))) "
                        + "\(d.lane("s\(i)_\(g)", lane, width: width)) = \(d.negativeInfinity);"
                })
            } }
    }

    /// The online softmax of the block: row maxima reduced across KEY_THREADS through shared
    /// memory; each invocation rescales its own l share and its O micro-tile, and writes P.
    private var softmaxUpdate: [String] {
        let d = dialect
        let s = strategy
        let lanes = { (i: Int) in (0..<self.scoreGroups).flatMap { g in (0..<self.width).map { d.lane("s\(i)_\(g)", $0, width: self.width) } } }
        let opening = d.comment("(m, l, acc, S) <- online_softmax(m, l, acc, S); a row with every key so far masked keeps l = 0 and P = 0")
        if shuffles {
            return [opening] + (0..<rowsPerThread).flatMap { i in
                let all = lanes(i)
                return ["float row_max\(i) = " + all.dropFirst().reduce(all[0]) { "max(\($0), \($1))" } + ";"]
                    + shuffleReduced("row_max\(i)", "max")
            } + (0..<rowsPerThread).flatMap(softmaxRow)
        }
        return [opening]
            + (0..<rowsPerThread).map { i in
                let all = lanes(i)
                return "row_share[(rg + \(i * s.rowThreads)) * KEY_THREADS + cg] = " + all.dropFirst().reduce(all[0]) { "max(\($0), \($1))" } + ";"
            }
            + sync()
            + (0..<rowsPerThread).flatMap(softmaxRow)
    }

    /// Row `i` of the micro-tile: the new maximum, the correction, P and the rescaled state.
    private func softmaxRow(_ i: Int) -> [String] {
        let d = dialect
        let ninf = d.negativeInfinity
        let r = "(rg + \(i * strategy.rowThreads))"
        let maximum: [String] = shuffles ? ["m_new = max(m_new, row_max\(i));"]
            : tileLoop("t", strategy.keyThreads) { t in ["m_new = max(m_new, row_share[\(r) * KEY_THREADS + \(t)]);"] }
        var body: [String] = maximum
        body.append("const float correction = m\(i) == \(ninf) || m_new == \(ninf) ? (m_new == \(ninf) ? 1.0f : 0.0f) : exp(m\(i) - m_new);")
        body.append("float share = 0.0f;")
        for g in 0..<scoreGroups {
            let laneSum = (0..<width).map { d.lane("p", $0, width: width) }.joined(separator: " + ")
            if let layout {
                body += cooperativeProbability(layout, row: r, column: keyColumn(g), score: "s\(i)_\(g)")
                continue
            }
            body += [
                "{",
                "    " + d.comment("P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN"),
                "    const \(vector) p = \(d.zeroWhereMasked(width, "exp(s\(i)_\(g) - m_new)", scores: "s\(i)_\(g)"));",
                "    share += \(laneSum);",
                "    " + d.storeVector(width, "p", "p_tile", "\(r) * BLOCK_KEYS + \(keyColumn(g))"),
                "}",
            ]
        }
        body.append("l\(i) = l\(i) * correction + share;")
        body.append("m\(i) = m_new;")
        body.append((0..<outputGroups).map { "\(outputCell(i, $0)) *= correction;" }.joined(separator: " "))
        return block(["{", "    float m_new = m\(i);"], body)
    }

    /// acc <- acc + P*V: V staged VALUE_KEYS keys at a time.
    private var accumulate: [String] {
        let d = dialect
        let s = strategy
        let load = { (part: String) in self.tileLoop("step", self.steps(s.valueKeys * self.facts.valueDim), expandUpTo: Self.loadExpansion) { step in [
            "const int e = \(step) * WG_SIZE + lid;",
            "const int c = e / VALUE_DIM, x = e % VALUE_DIM;",
            "if (c < VALUE_KEYS) {",
            "    float value = 0.0f;",
            "    if (\(part) + c < keys) value = \(d.load("v", keyRow("first + \(part) + c") + " * \(d.index("VALUE_DIM")) + \(d.index("x"))"));",
            "    stage[c * V_STRIDE + x] = value;",
            "}",
        ] } }
        let product = { (part: String) in self.tileLoop("c", s.valueKeys) { c in
            (0..<self.outputGroups).map { j in "const \(self.vector) v\(j) = \(d.loadVector(self.width, "stage", "\(c) * V_STRIDE + \(self.outputColumn(j))"));" }
                + (0..<self.rowsPerThread).map { i in "const float p\(i) = p_tile[(rg + \(i * s.rowThreads)) * BLOCK_KEYS + \(part) + \(c)];" }
                + (0..<self.rowsPerThread).map { i in (0..<self.outputGroups).map { j in "o\(i)_\(j) += p\(i) * v\(j);" }.joined(separator: " ") }
        } }
        return [d.comment("acc <- acc + P*V over the block's keys, in registers")]
            + tileLoop("part", s.blockKeys / s.valueKeys, stride: s.valueKeys,
                       expandUpTo: Self.passExpansion(loadSteps: steps(s.valueKeys * facts.valueDim))) { part in
                sync("readers of the stage are done; P is visible after the next") + load(part) + sync() + product(part)
            }
    }

    /// Each row's sum: the shares of its KEY_THREADS invocations, added once per segment.
    private var rowSums: [String] {
        let s = strategy
        let opening = dialect.comment("l <- the sum of the row's shares (all were rescaled by the same corrections)")
        if shuffles { return [opening] + (0..<rowsPerThread).flatMap { shuffleReduced("l\($0)", "+") } }
        return [opening]
            + sync()
            + (0..<rowsPerThread).map { i in "row_share[(rg + \(i * s.rowThreads)) * KEY_THREADS + cg] = l\(i);" }
            + sync()
            + (0..<rowsPerThread).flatMap { i in
                block(["{", "    float total = 0.0f;"],
                      tileLoop("t", s.keyThreads) { t in ["total += row_share[(rg + \(i * s.rowThreads)) * KEY_THREADS + \(t)];"] }
                        + ["l\(i) = total;"])
            }
    }

    // MARK: Text helpers

    /// Row of a `[batch, tokens, heads, width]` tensor, in the unsigned index type.
    /// The K/V row of panel key `index` for `kv_head`: its token in the batch's keys, or its
    /// pool row when the cache is paged.
    func keyRow(_ index: String) -> String {
        guard facts.paged else { return tensorRow("seg_batch", "panel_tokens[\(index)]", "key_tokens", "kv_heads", "kv_head") }
        let d = dialect
        return "(\(d.index("panel_rows[\(index)]")) * \(d.index(d.scalar("kv_heads"))) + \(d.index("kv_head")))"
    }

    func tensorRow(_ batch: String, _ token: String, _ tokens: String, _ heads: String, _ head: String) -> String {
        let d = dialect
        return "((\(d.index(batch)) * \(d.index(d.scalar(tokens))) + \(d.index(token))) * \(d.index(d.scalar(heads))) + \(d.index(head)))"
    }

    /// Trip counts up to which loops are expanded even when the strategy keeps tile loops rolled:
    /// any loop of a few iterations, and the staging loads (small bodies; a work-group of few
    /// invocations, as on lavapipe, would otherwise spend its loop budget on them).
    public static let smallExpansion = 4
    public static let loadExpansion = 128

    /// `expandUpTo` of a staging pass loop (K chunks, V parts) whose load runs `loadSteps` steps:
    /// passes are expanded only while their expanded loads together stay within `loadExpansion`
    /// steps (four expanded passes of 128 expanded load steps each, d256 on 32 invocations, kept
    /// PoCL's inliner busy for over 20 minutes).
    public static func passExpansion(loadSteps: Int) -> Int {
        loadSteps > loadExpansion ? smallExpansion : min(smallExpansion, loadExpansion / max(1, loadSteps))
    }

    /// A loop of `count` iterations with a compile-time trip count: a `for` loop, or, when the
    /// strategy unrolls or the count is at most `expandUpTo`, its iterations one after another
    /// (each in its own block). `body` gets the loop variable's value as an expression.
    func tileLoop(
        _ variable: String, _ count: Int, stride: Int = 1, expandUpTo: Int = smallExpansion, _ body: (String) -> [String]
    ) -> [String] {
        guard !strategy.unrolled && count > expandUpTo else { return expanded(count, stride: stride, body) }
        return block(["for (int \(variable) = 0; \(variable) < \(count * stride); \(variable) += \(stride)) {"], body(variable))
    }

    /// The iterations of a short loop one after another, each in its own block.
    func expanded(_ count: Int, stride: Int = 1, _ body: (String) -> [String]) -> [String] {
        (0..<count).flatMap { block(["{"], body("\($0 * stride)")) }
    }

    /// The barrier, with an optional comment saying what it orders.
    func sync(_ why: String? = nil) -> [String] {
        let lines = dialect.sync.components(separatedBy: "\n")
        guard let why else { return lines }
        return lines.dropLast() + [lines.last! + "  " + dialect.comment(why)]
    }

    func block(_ header: [String], _ body: [String], _ footer: [String] = []) -> [String] {
        header + indent(body) + footer + ["}"]
    }

    func indent(_ lines: [String]) -> [String] {
        lines.map { $0.isEmpty ? "" : "    " + $0 }
    }
}
