import AttentionSpec

/// The one lowering of the backward pass (FlashAttention-2's equations), for both dialects:
/// three kernels over the plan and its transpose, each invocation owning whole gradient rows,
/// so nothing races and every sum runs in plan order (deterministic, no atomics).
///
/// 1. `attention_backward_rowdot`: `D = rowsum(dO ∘ O)`, one invocation per (batch, query, head).
/// 2. `attention_backward_kv`: one invocation per key row of a (batch, kv head, key tile): over
///    the query heads sharing the kv head and the query tiles the transposed plan lists for the
///    key tile (masked only on PARTIAL visits), `P = exp(scale·q·k − lse)`, `dP = dO·v`,
///    `dS = scale·P·(dP − D)`, `dV += P·dO`, `dK += dS·q`, in registers.
/// 3. `attention_backward_q`: one invocation per query row of a (batch, head, query tile):
///    over the key tiles the plan lists, the same `dS`, then `dQ += dS·k`.
///
/// Scalar per invocation (no shared memory, no barriers): correct everywhere, not yet register
/// blocked like the forward.
public struct GradientKernelLowering: Sendable {
    /// The backward kernels read K and V as `[batch, keys, kvHeads, dim]` and write dK and dV in
    /// that shape: a paged spec (inference only) has none. Nor does a spec with a bias tensor
    /// yet (the CPU interpreter and the reference compute its backward).
    public static func checkSupported(_ spec: AttentionSpec) throws(SpecError) {
        if let pages = spec.problem.pages {
            throw .invalidValue(
                field: "problem.pages", value: "\(pages.pageCount) pages of \(pages.pageSize)",
                reason: "a paged KV cache is for inference: there are no backward kernels for it")
        }
        if let bias = spec.scores.bias {
            throw .invalidValue(
                field: "scores.bias", value: bias.shape(for: spec.problem).description,
                reason: "the backward kernels do not read a bias tensor yet (the CPU interpreter does)")
        }
    }

    /// Whether `checkSupported` accepts `spec`.
    public static func supports(_ spec: AttentionSpec) -> Bool { (try? checkSupported(spec)) != nil }

    public let dialect: KernelDialect
    public let facts: KernelFacts
    /// `bool NAME(int query, int key, …)`: the mask predicate of the dialect's mask lowering.
    public let maskFunction: String
    /// The spec's softcap and ALiBi, applied where P is recomputed (and the softcap's derivative in dS).
    public let scores: ScoreLowering

    /// Invocations per work-group of every backward kernel.
    public static let workgroupSize = 64

    public init(dialect: KernelDialect, facts: KernelFacts, maskFunction: String, scores: ScoreLowering) {
        self.dialect = dialect
        self.facts = facts
        self.maskFunction = maskFunction
        self.scores = scores
    }

    public enum Kernel: String, CaseIterable, Sendable {
        case rowDot = "attention_backward_rowdot"
        case keyValue = "attention_backward_kv"
        case query = "attention_backward_q"
    }

    /// The compile-time constants every backward kernel reads.
    public var constants: [(name: String, value: Int, comment: String)] {
        [
            ("HEAD_DIM", facts.headDim, "query/key head dimension"),
            ("VALUE_DIM", facts.valueDim, "value head dimension"),
            ("MAX_QUERY_ROWS", facts.maxQueryRows, "tokens of the largest query tile"),
            ("MAX_KEY_ROWS", facts.maxKeyRows, "tokens of the largest key tile"),
            ("WG_SIZE", Self.workgroupSize, "invocations per work-group"),
        ]
    }

    /// The work-groups of `kernel`: the invocations it needs, rounded up to whole groups.
    public func workgroups(_ kernel: Kernel, problem p: AttentionProblem, queryTiles: Int, keyTiles: Int) -> Int {
        let invocations = switch kernel {
        case .rowDot: p.batch * p.queryTokens * p.heads
        case .keyValue: p.batch * p.kvHeads * keyTiles * facts.maxKeyRows
        case .query: p.batch * p.heads * queryTiles * facts.maxQueryRows
        }
        return max(1, (invocations + Self.workgroupSize - 1) / Self.workgroupSize)
    }

    /// How `workgroups` follows from the problem, for manifests and headers.
    public static func workgroupFormula(_ kernel: Kernel) -> String {
        switch kernel {
        case .rowDot: "ceil(batch · queryTokens · heads / WG_SIZE)"
        case .keyValue: "ceil(batch · kvHeads · keyTiles · MAX_KEY_ROWS / WG_SIZE)"
        case .query: "ceil(batch · heads · queryTiles · MAX_QUERY_ROWS / WG_SIZE)"
        }
    }

    /// Worst-case loop iterations of one invocation (lavapipe's cap): every loop header test.
    public func loopIterations(_ kernel: Kernel, headsPerKVHead: Int, maxVisitors: Int, maxVisits: Int) -> Int {
        let (d, dv) = (facts.headDim, facts.valueDim)
        switch kernel {
        case .rowDot:
            return dv + 1
        case .keyValue:
            // Loads and stores of k, v, dK, dV; per query row two dot products and two updates.
            let perRow = 2 * d + 2 * dv + 4
            return 2 * (d + dv) + headsPerKVHead * (1 + maxVisitors * (1 + facts.maxQueryRows * perRow))
        case .query:
            let perKey = 2 * d + dv + 3
            return 2 * d + dv + maxVisits * (1 + facts.maxKeyRows * perKey)
        }
    }

    /// The statements of `kernel`'s body.
    public func body(_ kernel: Kernel) -> [String] {
        switch kernel {
        case .rowDot: rowDotBody
        case .keyValue: keyValueBody
        case .query: queryBody
        }
    }

    private var d: KernelDialect { dialect }
    private func scalar(_ name: String) -> String { d.scalar(name) }
    private func plan(_ table: String, _ index: String) -> String { d.plan(table, index) }
    private func element(_ buffer: String, _ index: String) -> String { "\(d.buffer(buffer))[\(index)]" }

    private var rowDotBody: [String] {
        [
            "const int row = \(d.globalID);",
            "if (row >= \(scalar("batch")) * \(scalar("query_tokens")) * \(scalar("heads"))) return;",
            "const \(d.indexType) base = \(d.index("row")) * \(d.index("VALUE_DIM"));",
            "float sum = 0.0f;",
            "for (int x = 0; x < VALUE_DIM; ++x) sum += \(element("dout", "base + \(d.index("x"))")) * \(element("output", "base + \(d.index("x"))"));",
            "\(element("row_dot", d.index("row"))) = sum;",
        ]
    }

    /// `(b * tokens + token) * heads + head`, the flat row of a `[batch, tokens, heads, …]` tensor.
    private func row(_ batch: String, _ token: String, _ tokens: String, _ head: String, _ heads: String) -> String {
        "(\(batch) * \(scalar(tokens)) + \(token)) * \(scalar(heads)) + \(head)"
    }

    /// The shared part of both gradient kernels for one (query row, key row) pair: `ds` (and `p`),
    /// with the tokens in `query` and `key` and the query head in `h`.
    private func pairGradient(queryRow: String, qValue: (String) -> String, kValue: (String) -> String,
                              doValue: (String) -> String, vValue: (String) -> String) -> [String] {
        let softcapped = scores.softcap != nil
        return [
            "float s = 0.0f;",
            "for (int x = 0; x < HEAD_DIM; ++x) s += \(qValue("x")) * \(kValue("x"));",
            "s *= \(scalar("scale"));",
        ] + scores.softcapped("s", derivative: softcapped ? "cap_slope" : nil)
            + scores.biased(d, "s", batch: "b", query: "query", key: "key", head: "h")
            + [
            "const float p = exp(s - \(element("lse", queryRow)));",
            "float dp = 0.0f;",
            "for (int x = 0; x < VALUE_DIM; ++x) dp += \(doValue("x")) * \(vValue("x"));",
            "const float ds = \(scalar("scale")) * p * (dp - \(element("row_dot", queryRow)))\(softcapped ? " * cap_slope" : "");",
        ]
    }

    private var keyValueBody: [String] {
        let idx = d.indexType
        let visit = [
            "const int query = \(plan("query_tile_tokens", "e"));",
            "if (!full && !\(d.maskAllows(maskFunction, "query", "key"))) continue;",
            "const \(idx) query_row = \(d.index(row("b", "query", "query_tokens", "h", "heads")));",
            d.comment("a row that sees no key (lse = -inf) has P = 0: it adds nothing"),
            "if (\(element("lse", "query_row")) == \(d.negativeInfinity)) continue;",
            "const \(idx) q_base = query_row * \(d.index("HEAD_DIM")), do_base = query_row * \(d.index("VALUE_DIM"));",
        ] + pairGradient(
            queryRow: "query_row", qValue: { d.load("q", "q_base + \(d.index($0))") }, kValue: { "kj[\($0)]" },
            doValue: { self.element("dout", "do_base + \(d.index($0))") }, vValue: { "vj[\($0)]" }
        ) + [
            "for (int x = 0; x < VALUE_DIM; ++x) dv_sum[x] += p * \(element("dout", "do_base + \(d.index("x"))"));",
            "for (int x = 0; x < HEAD_DIM; ++x) dk_sum[x] += ds * \(d.load("q", "q_base + \(d.index("x"))"));",
        ]
        return [
            "const int gid = \(d.globalID);",
            "const int r = gid % MAX_KEY_ROWS, tile_row = gid / MAX_KEY_ROWS;",
            "const int key_tile = tile_row % \(scalar("key_tiles")), group_row = tile_row / \(scalar("key_tiles"));",
            "if (group_row >= \(scalar("batch")) * \(scalar("kv_heads"))) return;",
            "const int b = group_row / \(scalar("kv_heads")), kvh = group_row % \(scalar("kv_heads"));",
            "const int first_key = \(plan("key_tile_offsets", "key_tile"));",
            "if (r >= \(plan("key_tile_offsets", "key_tile + 1")) - first_key) return;",
            "const int key = \(plan("key_tile_tokens", "first_key + r"));",
            "const \(idx) key_row = \(d.index(row("b", "key", "key_tokens", "kvh", "kv_heads")));",
            "const \(idx) k_base = key_row * \(d.index("HEAD_DIM")), v_base = key_row * \(d.index("VALUE_DIM"));",
            d.comment("this key's row of K and V, and its dK and dV sums, in registers"),
            "float kj[HEAD_DIM], dk_sum[HEAD_DIM], vj[VALUE_DIM], dv_sum[VALUE_DIM];",
            "for (int x = 0; x < HEAD_DIM; ++x) { kj[x] = \(d.load("k", "k_base + \(d.index("x"))")); dk_sum[x] = 0.0f; }",
            "for (int x = 0; x < VALUE_DIM; ++x) { vj[x] = \(d.load("v", "v_base + \(d.index("x"))")); dv_sum[x] = 0.0f; }",
            "const int group_heads = \(scalar("heads")) / \(scalar("kv_heads"));",
            d.comment("GQA: the query heads that share this kv head, then the query tiles visiting this key tile"),
            "for (int hh = 0; hh < group_heads; ++hh) {",
            "    const int h = kvh * group_heads + hh;",
            "    for (int t = \(plan("visitor_offsets", "key_tile")); t < \(plan("visitor_offsets", "key_tile + 1")); ++t) {",
            "        const int query_tile = \(plan("visitors", "2 * t"));",
            "        const bool full = \(plan("visitors", "2 * t + 1")) != 0;  " + d.comment("FULL visits need no mask"),
            "        for (int e = \(plan("query_tile_offsets", "query_tile")); e < \(plan("query_tile_offsets", "query_tile + 1")); ++e) {",
        ] + visit.flatMap { $0.components(separatedBy: "\n") }.map { "            " + $0 } + [
            "        }",
            "    }",
            "}",
            "for (int x = 0; x < HEAD_DIM; ++x) \(element("dk", "k_base + \(d.index("x"))")) = dk_sum[x];",
            "for (int x = 0; x < VALUE_DIM; ++x) \(element("dv", "v_base + \(d.index("x"))")) = dv_sum[x];",
        ]
    }

    private var queryBody: [String] {
        let idx = d.indexType
        let visit = [
            "const int key = \(plan("key_tile_tokens", "e"));",
            "if (!full && !\(d.maskAllows(maskFunction, "query", "key"))) continue;",
            "const \(idx) key_row = \(d.index(row("b", "key", "key_tokens", "kvh", "kv_heads")));",
            "const \(idx) k_base = key_row * \(d.index("HEAD_DIM")), v_base = key_row * \(d.index("VALUE_DIM"));",
        ] + pairGradient(
            queryRow: "query_row", qValue: { "qi[\($0)]" }, kValue: { d.load("k", "k_base + \(d.index($0))") },
            doValue: { "doi[\($0)]" }, vValue: { d.load("v", "v_base + \(d.index($0))") }
        ) + [
            "for (int x = 0; x < HEAD_DIM; ++x) dq_sum[x] += ds * \(d.load("k", "k_base + \(d.index("x"))"));",
        ]
        return [
            "const int gid = \(d.globalID);",
            "const int r = gid % MAX_QUERY_ROWS, tile_row = gid / MAX_QUERY_ROWS;",
            "const int query_tile = tile_row % \(scalar("query_tiles")), head_row = tile_row / \(scalar("query_tiles"));",
            "if (head_row >= \(scalar("batch")) * \(scalar("heads"))) return;",
            "const int b = head_row / \(scalar("heads")), h = head_row % \(scalar("heads"));",
            "const int kvh = h / (\(scalar("heads")) / \(scalar("kv_heads")));",
            "const int first_query = \(plan("query_tile_offsets", "query_tile"));",
            "if (r >= \(plan("query_tile_offsets", "query_tile + 1")) - first_query) return;",
            "const int query = \(plan("query_tile_tokens", "first_query + r"));",
            "const \(idx) query_row = \(d.index(row("b", "query", "query_tokens", "h", "heads")));",
            "const \(idx) q_base = query_row * \(d.index("HEAD_DIM")), do_base = query_row * \(d.index("VALUE_DIM"));",
            d.comment("this query's row of Q and dO, and its dQ sum, in registers"),
            "float qi[HEAD_DIM], dq_sum[HEAD_DIM], doi[VALUE_DIM];",
            "for (int x = 0; x < HEAD_DIM; ++x) { qi[x] = \(d.load("q", "q_base + \(d.index("x"))")); dq_sum[x] = 0.0f; }",
            "for (int x = 0; x < VALUE_DIM; ++x) doi[x] = \(element("dout", "do_base + \(d.index("x"))"));",
            d.comment("a row that sees no key (lse = -inf) gets a zero gradient"),
            "if (\(element("lse", "query_row")) != \(d.negativeInfinity)) {",
            "    for (int t = \(plan("visit_offsets", "query_tile")); t < \(plan("visit_offsets", "query_tile + 1")); ++t) {",
            "        const int key_tile = \(plan("visits", "2 * t"));",
            "        const bool full = \(plan("visits", "2 * t + 1")) != 0;  " + d.comment("FULL visits need no mask"),
            "        for (int e = \(plan("key_tile_offsets", "key_tile")); e < \(plan("key_tile_offsets", "key_tile + 1")); ++e) {",
        ] + visit.flatMap { $0.components(separatedBy: "\n") }.map { "            " + $0 } + [
            "        }",
            "    }",
            "}",
            "for (int x = 0; x < HEAD_DIM; ++x) \(element("dq", "q_base + \(d.index("x"))")) = dq_sum[x];",
        ]
    }
}
