/// The cooperative-matrix variant of the attention kernel (`KernelStrategy.matrix`): Q, the K/V
/// stage and P are operand arrays, S and O float32 arrays in shared memory. Per block of keys:
/// the subgroups multiply Q·Kᵀ into S's fragments; the softmax reads S into the SIMT
/// micro-tiles of `AttentionKernelLowering` (modifiers, masks and the online softmax unchanged),
/// rescales its rows of O in shared memory and writes P rounded to the operand type; then the
/// subgroups add P·V into O's fragments.
extension AttentionKernelLowering {
    private func fragments(_ layout: CooperativeMatrixLayout) -> CooperativeMatrixFragments {
        CooperativeMatrixFragments(layout.matrix, unrolled: strategy.unrolled)
    }

    /// O element (micro-tile row `i`, column group `j`): a register, or its place in shared O.
    func outputCell(_ i: Int, _ j: Int) -> String {
        guard layout != nil else { return "o\(i)_\(j)" }
        return "o_tile[(rg + \(i * strategy.rowThreads)) * O_STRIDE + \(outputColumn(j))]"
    }

    /// Before O is read for the store: the last block's products into shared O are done.
    var outputVisible: [String] { layout == nil ? [] : sync("the subgroups' products into o_tile are done") }

    var cooperativeIdentifiers: [String] {
        guard let layout else { return [] }
        return fragments(layout).identifiers + [dialect.comment("O lives in o_tile (float32); this invocation rescales its micro-tile's cells")]
    }

    func cooperativeConstants(_ layout: CooperativeMatrixLayout) -> [(name: String, value: Int, comment: String)] {
        let s = strategy, m = layout.matrix
        return microTileConstants + [
            ("FM", m.m, "fragment rows"),
            ("FN", m.n, "fragment columns"),
            ("FK", m.k, "fragment depth"),
            ("SUBGROUPS", m.subgroups, "subgroups of the work-group"),
            ("LANES", m.lanes, "invocations per subgroup"),
        ] + (m.form == .emulated ? [("LANE_ELEMENTS", m.laneElements, "accumulator elements per emulated lane")] : []) + [
            ("HEAD_PAD", layout.headPad, "head dim padded to whole fragments (zeros)"),
            ("VALUE_PAD", layout.valuePad, "value dim padded to whole fragments (zeros)"),
            ("Q_STRIDE", layout.queryStride, "elements per row of the Q tile"),
            ("K_STRIDE", layout.keyStride, "elements per key of the K block"),
            ("V_STRIDE", layout.valueStride, "elements per key of the V block"),
            ("S_STRIDE", layout.scoreStride, "floats per row of S"),
            ("P_STRIDE", layout.probabilityStride, "elements per row of P"),
            ("O_STRIDE", layout.outputStride, "floats per row of O"),
            ("STAGE_ELEMENTS", layout.stageElements, "the K/V stage"),
            ("S_FRAGMENTS", layout.scoreFragments, "fragments of S: (TILE_ROWS/FM) x (BLOCK_KEYS/FN)"),
            ("O_FRAGMENTS", layout.outputFragments, "fragments of O: (TILE_ROWS/FM) x (VALUE_PAD/FN)"),
            ("ROW_STEPS", steps(s.tileRows), "steps of a loop over the tile's rows"),
            ("QUERY_STEPS", steps(s.tileRows * layout.headPad), "steps of the Q load"),
            ("KEY_TILE_STEPS", steps(facts.maxKeyRows), "steps of a key tile's token copy"),
            ("KEY_STEPS", steps(s.blockKeys * layout.headPad), "steps of a K block's load"),
            ("VALUE_STEPS", steps(s.blockKeys * layout.valuePad), "steps of a V block's load"),
            ("OUTPUT_STEPS", steps(s.tileRows * layout.outputStride), "steps of clearing O"),
        ]
    }

    func cooperativeSharedDeclarations(_ layout: CooperativeMatrixLayout) -> [String] {
        let d = dialect
        let operand = fragments(layout).operandType
        return [
            d.comment("Work-group tiles: Q, the K/V stage and P as \(layout.matrix.operand.rawValue) operands; S and O float32; token lists."),
            d.shared(operand, "q_tile", "TILE_ROWS * Q_STRIDE") + "      " + d.comment("Q[row][x] at row * Q_STRIDE + x"),
            d.shared(operand, "stage", "STAGE_ELEMENTS") + "             " + d.comment("K block [key][x] or V block [key][x]"),
            d.shared(operand, "p_tile", "TILE_ROWS * P_STRIDE") + "      " + d.comment("P = exp(S - m), rounded"),
            d.shared("float", "s_tile", "TILE_ROWS * S_STRIDE") + "          " + d.comment("S of the block"),
            d.shared("float", "o_tile", "TILE_ROWS * O_STRIDE") + "          " + d.comment("the unnormalised output"),
        ] + (fragments(layout).scratchDeclaration.map { [$0] } ?? []) + rowAndTokenDeclarations
    }

    /// Q <- the query tile, row-major operands, zero past the tile's rows and the head dim.
    func cooperativeQueryLoad(_ layout: CooperativeMatrixLayout) -> [String] {
        queryLoad(
            "Q <- load q[batch, segment.queryTile, head] as operands; rows past the tile and dims past HEAD_DIM are zero",
            width: ("HEAD_PAD", layout.headPad), inside: "r < rows && x < HEAD_DIM",
            store: "q_tile[r * Q_STRIDE + x] = \(fragments(layout).operand("value", exact: true));")
    }

    /// (m, l) <- (-inf, 0) and O <- 0 (every word of o_tile, padding included: the products add
    /// into all of it).
    func cooperativeInitialState(_ layout: CooperativeMatrixLayout) -> [String] {
        [dialect.comment("(m, l, acc) <- (-inf, 0, 0); acc is o_tile")]
            + (0..<rowsPerThread).map { "m\($0) = \(dialect.negativeInfinity); l\($0) = 0.0f;" }
            + tileLoop("step", steps(strategy.tileRows * layout.outputStride)) { step in [
                "{ const int e = \(step) * WG_SIZE + lid; if (e < TILE_ROWS * O_STRIDE) o_tile[e] = 0.0f; }",
            ] }
    }

    /// S <- scale * Q*K^T: the K block staged as operands, the subgroups' fragments into s_tile,
    /// then each invocation's micro-tile read back into registers.
    func cooperativeScores(_ layout: CooperativeMatrixLayout) -> [String] {
        let d = dialect
        let f = fragments(layout)
        let load = stageLoad(layout, tensor: "k", pad: ("HEAD_PAD", layout.headPad), width: "HEAD_DIM", stride: "K_STRIDE")
        let product = tileLoop("x", layout.headPad / layout.matrix.k, stride: layout.matrix.k) { x in
            f.multiplyAdd(
                "acc", .init("q_tile", offset: "row * Q_STRIDE + \(x)", stride: "Q_STRIDE"),
                .init("stage", offset: "column * K_STRIDE + \(x)", stride: "K_STRIDE", columnMajor: true))
        }
        let fragmentLoop = subgroupFragments(
            "S: keys fc*FN; K^T is the K block read column-major", count: "S_FRAGMENTS", across: "BLOCK_KEYS / FN",
            f.zeroAccumulator("acc") + product + f.storeAccumulator("acc", to: .init("s_tile", offset: "row * S_STRIDE + column", stride: "S_STRIDE")))
        let registers = (0..<rowsPerThread).flatMap { i in
            (0..<scoreGroups).map { j in "s\(i)_\(j) = s_tile[(rg + \(i * strategy.rowThreads)) * S_STRIDE + \(keyColumn(j))] * \(d.scalar("scale"))" }
        }
        return [d.comment("S <- scale * Q*K^T over the block's keys: fragments into s_tile, then this invocation's micro-tile")]
            + sync("the stage's previous readers are done") + load + sync() + fragmentLoop + sync()
            + ["float " + registers.joined(separator: ", ") + ";"]
    }

    /// `body` for each of this subgroup's fragments `f = sg, sg + SUBGROUPS, …` of `count`, laid
    /// out `across` fragments per row of fragments; `row` and `column` are its first element's.
    private func subgroupFragments(_ what: String, count: String, across: String, _ body: [String]) -> [String] {
        block(
            [dialect.comment("the subgroups' fragments of \(what); rows fr*FM"),
             "for (int f = sg; f < \(count); f += SUBGROUPS) {",
             "    const int row = (f / (\(across))) * FM, column = (f % (\(across))) * FN;"],
            body)
    }

    /// The block's K or V rows into the stage as operands, `[key][x]` with `stride`; zero past
    /// the block's keys and past the tensor's `width`, up to the fragments' `pad`.
    private func stageLoad(
        _ layout: CooperativeMatrixLayout, tensor: String, pad: (name: String, value: Int), width: String, stride: String
    ) -> [String] {
        let d = dialect
        let value = d.load(tensor, keyRow("first + c") + " * \(d.index(width)) + \(d.index("x"))")
        return tileLoop("step", steps(strategy.blockKeys * pad.value), expandUpTo: Self.loadExpansion) { step in [
            "const int e = \(step) * WG_SIZE + lid;",
            "const int c = e / \(pad.name), x = e % \(pad.name);",
            "if (c < BLOCK_KEYS) {",
            "    float value = 0.0f;",
            "    if (c < keys && x < \(width)) value = \(value);",
            "    stage[c * \(stride) + x] = \(fragments(layout).operand("value", exact: true));",
            "}",
        ] }
    }

    /// P for one micro-tile cell: exp(S - m) rounded to the operand type (the row sum adds the
    /// rounded value, so the normalisation matches the weights the product uses).
    func cooperativeProbability(_ layout: CooperativeMatrixLayout, row: String, column: String, score: String) -> [String] {
        let f = fragments(layout)
        return [
            "{",
            "    " + dialect.comment("P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN"),
            "    const float p = \(f.rounded(dialect.zeroWhereMasked(1, "exp(\(score) - m_new)", scores: score)));",
            "    share += p;",
            "    p_tile[\(row) * P_STRIDE + \(column)] = \(f.operand("p"));",
            "}",
        ]
    }

    /// acc <- acc + P*V: the V block staged as operands, then the subgroups' fragments of O
    /// loaded from o_tile, multiplied over the block's keys and stored back.
    func cooperativeAccumulate(_ layout: CooperativeMatrixLayout) -> [String] {
        let d = dialect
        let f = fragments(layout)
        let load = stageLoad(layout, tensor: "v", pad: ("VALUE_PAD", layout.valuePad), width: "VALUE_DIM", stride: "V_STRIDE")
        let product = tileLoop("c", strategy.blockKeys / layout.matrix.k, stride: layout.matrix.k) { c in
            f.multiplyAdd(
                "acc", .init("p_tile", offset: "row * P_STRIDE + \(c)", stride: "P_STRIDE"),
                .init("stage", offset: "\(c) * V_STRIDE + column", stride: "V_STRIDE"))
        }
        let target = CooperativeMatrixFragments.Operand("o_tile", offset: "row * O_STRIDE + column", stride: "O_STRIDE")
        let fragmentLoop = subgroupFragments(
            "O: value columns fc*FN", count: "O_FRAGMENTS", across: "VALUE_PAD / FN",
            f.loadAccumulator("acc", from: target) + product + f.storeAccumulator("acc", to: target))
        return [d.comment("acc <- acc + P*V over the block's keys, on fragments")]
            + sync("readers of the stage are done; P and the rescaled O are visible after the next") + load + sync() + fragmentLoop
    }
}
