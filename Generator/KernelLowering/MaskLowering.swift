import AttentionSpec

/// A compile-time mask parameter: an OpenCL C `#define`, or a GLSL `layout(constant_id = …)`
/// specialization constant whose default is the spec's value (a host may override it at
/// pipeline creation without recompiling).
public struct MaskParameter: Hashable, Sendable {
    public let id: Int
    public let name: String
    /// `int` or `bool` (a bool is 0 or 1 in `VkSpecializationInfo`, 4 bytes).
    public let type: String
    public let value: Int
    public let comment: String
}

/// The mask predicate, written once for both dialects: one small named function per mask kind,
/// implementing the rules of `MaskPredicate` (tests run the emitted text against it on every
/// pair of small grids). Mask parameters (window, stride, dilation, causality, block shapes)
/// are compile-time `parameters`; the grid sizes the formulas read are run-time `sizes`. The
/// predicate is straight-line code, so it adds nothing to lavapipe's loop count.
public struct MaskLowering: Hashable, Sendable {
    public let mask: AttentionMask
    public let rank: Int

    public init(mask: AttentionMask, rank: Int) {
        self.mask = mask
        self.rank = rank
    }

    /// The predicate's name; `KernelDialect.maskAllows` spells its call.
    public var functionName: String {
        switch mask {
        case .dense: "dense_mask_allows"
        case .causal: "causal_mask_allows"
        case .slidingWindow: "sliding_window_mask_allows"
        case .neighborhood: "neighborhood_mask_allows"
        case .blockSparse: "block_sparse_mask_allows"
        case .varlen: "varlen_mask_allows"
        }
    }

    /// The compile-time parameters, ids from 0, valued from the spec.
    public var parameters: [MaskParameter] {
        var parameters: [MaskParameter] = []
        func add(_ name: String, _ type: String, _ value: Int, _ comment: String) {
            parameters.append(MaskParameter(id: parameters.count, name: name, type: type, value: value, comment: comment))
        }
        switch mask {
        case .dense, .causal, .varlen:
            break
        case .slidingWindow(let left, let right):
            add("WINDOW_LEFT", "int", left, "keys left of the diagonal; -1: unbounded")
            add("WINDOW_RIGHT", "int", right, "keys right of the diagonal; -1: unbounded")
        case .neighborhood(let axes):
            for (axis, a) in axes.enumerated() {
                add("NA_WINDOW_\(axis)", "int", a.window, "axis \(axis): window K")
                add("NA_STRIDE_\(axis)", "int", a.stride, "axis \(axis): stride S")
                add("NA_DILATION_\(axis)", "int", a.dilation, "axis \(axis): dilation D")
                add("NA_CAUSAL_\(axis)", "bool", a.causal ? 1 : 0, "axis \(axis): causal")
            }
        case .blockSparse(let layout):
            for axis in 0..<rank {
                add("QUERY_BLOCK_\(axis)", "int", layout.queryBlock[axis], "axis \(axis): query block")
                add("KEY_BLOCK_\(axis)", "int", layout.keyBlock[axis], "axis \(axis): key block")
            }
            add("BLOCK_SPARSE_CAUSAL", "bool", layout.causal ? 1 : 0, "the dense causal rule applies on top of the block list")
        }
        return parameters
    }

    /// Run-time sizes the predicate reads beyond `query_tokens` and `key_tokens` (which every
    /// attention kernel has), with their values for `problem`.
    public func sizes(for problem: AttentionProblem) -> [(name: String, value: Int)] {
        let values = switch mask {
        case .dense, .causal, .slidingWindow, .varlen: [Int]()
        case .neighborhood: problem.queryShape
        case .blockSparse: problem.queryShape + problem.keyShape
        }
        return Array(zip(sizeNames, values))
    }

    /// Whether the predicate reads a host-built mask table: the block-sparse mask's block
    /// pairs, or the varlen mask's key interval per query (`OpenCLPlanTables.maskTable`).
    public var readsMaskTable: Bool {
        switch mask {
        case .blockSparse, .varlen: true
        default: false
        }
    }

    /// The names of `sizes(for:)`, which do not depend on the problem's values.
    var sizeNames: [String] {
        switch mask {
        case .dense, .causal, .slidingWindow, .varlen: []
        case .neighborhood: (0..<rank).map { "grid_\($0)" }
        case .blockSparse: (0..<rank).map { "query_grid_\($0)" } + (0..<rank).map { "key_grid_\($0)" }
        }
    }

    /// The parameters' declarations, then (OpenCL) the record of run-time sizes the predicate
    /// takes by pointer, then the predicate functions.
    public func source(_ d: KernelDialect) -> String {
        let declared = parameters.map { d.maskParameter($0) }
        let sections = [
            declared.isEmpty ? "" : d.comment("Mask parameters, from the spec.") + "\n" + declared.joined(separator: "\n"),
            d.maskContextRecord(sizes: sizeNames, maskTable: readsMaskTable),
            functions(d),
        ]
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// The kernel statement that fills OpenCL's record of run-time sizes (nil in GLSL).
    public func contextInitializer(_ d: KernelDialect) -> String? {
        d.maskContextInitializer(sizes: sizeNames, maskTable: readsMaskTable)
    }

    /// The predicate functions alone (they read the parameters by name).
    public func functions(_ d: KernelDialect) -> String {
        let size = d.maskSize
        let signature = "int query, int key" + d.maskContextParameter
        switch mask {
        case .dense:
            return d.comment("Dense: every query sees every key (no visit is PARTIAL, so this is never called).") + "\n"
                + "bool dense_mask_allows(\(signature)) { return true; }"
        case .causal:
            return d.comment("Dense causal, bottom-right aligned (FlashAttention): query i sees key j iff j <= i + Sk - Sq.") + "\n"
                + "bool causal_mask_allows(\(signature)) { return key <= query + \(size("key_tokens")) - \(size("query_tokens")); }"
        case .slidingWindow:
            return d.comments([
                "Sliding window around the bottom-right aligned diagonal d = i + Sk - Sq:",
                "d - WINDOW_LEFT <= j <= d + WINDOW_RIGHT, a negative bound being unbounded.",
            ]) + """

                bool sliding_window_mask_allows(\(signature)) {
                    const int diagonal = query + \(size("key_tokens")) - \(size("query_tokens"));
                    return (WINDOW_LEFT < 0 || key >= diagonal - WINDOW_LEFT) && (WINDOW_RIGHT < 0 || key <= diagonal + WINDOW_RIGHT);
                }
                """
        case .neighborhood:
            return neighborhoodFunctions(d, signature: signature)
        case .blockSparse:
            return blockSparseFunction(d, signature: signature)
        case .varlen:
            return d.comments([
                "Packed sequences of different lengths (cu_seqlens): the host lists, per packed query, the packed",
                "keys first .. last it sees (its own sequence's, under that sequence's window; empty: last < first).",
            ]) + "\n" + [
                "bool varlen_mask_allows(\(signature)) {",
                "    return key >= \(d.maskTable("3 * query")) && key <= \(d.maskTable("3 * query + 1"));",
                "}",
            ].joined(separator: "\n")
        }
    }

    /// Row-major coordinates of `query` and `key` on their grids, peeling the last axis first.
    private func coordinates(query grid: (Int) -> String, key keyGrid: (Int) -> String) -> [String] {
        var lines = ["int q = query, k = key;"]
        for axis in stride(from: rank - 1, to: 0, by: -1) {
            lines.append("const int q\(axis) = q % \(grid(axis)), k\(axis) = k % \(keyGrid(axis));")
            lines.append("q /= \(grid(axis));")
            lines.append("k /= \(keyGrid(axis));")
        }
        lines.append("const int q0 = q, k0 = k;")
        return lines
    }

    private func neighborhoodFunctions(_ d: KernelDialect, signature: String) -> String {
        let grid = { (axis: Int) in d.maskSize("grid_\(axis)") }
        let conjunction = (0..<rank).map {
            "neighborhood_axis_allows(q\($0), k\($0), \(grid($0)), NA_WINDOW_\($0), NA_STRIDE_\($0), NA_DILATION_\($0), NA_CAUSAL_\($0))"
        }.joined(separator: "\n        && ")
        return d.comments([
            "One axis of the neighborhood mask, as NeighborhoodAxis.keyWindow + allows: does query",
            "coordinate i see key coordinate j on an axis of `length` tokens? Dilation first (token x is",
            "in group x mod D at local coordinate x div D); then, in local coordinates of a group of n",
            "tokens, non-causal: the stride group's leader min((i div S)*S + S div 2, n - 1), its centre",
            "clamped to [wl, n - 1 - wr], keys centre - wl .. centre + wr (shifted inward at the borders,",
            "never clipped); causal: leader min((i div S)*S + S - 1, n - 1), keys max(leader - K + 1, 0) .. i.",
        ]) + """

            bool neighborhood_axis_allows(int i, int j, int length, int window, int stride, int dilation, bool causal) {
                if (i % dilation != j % dilation) return false;
                const int group = i % dilation;
                const int local_i = i / dilation;
                const int group_length = (length - group + dilation - 1) / dilation;
                int lo, hi;
                if (causal) {
                    const int leader = min((local_i / stride) * stride + stride - 1, group_length - 1);
                    lo = max(leader - window + 1, 0);
                    hi = local_i;
                } else {
                    const int wl = window / 2;
                    const int wr = window - 1 - wl;
                    const int leader = min((local_i / stride) * stride + stride / 2, group_length - 1);
                    const int centre = min(max(leader, wl), group_length - 1 - wr);
                    lo = centre - wl;
                    hi = centre + wr;
                }
                return j >= lo * dilation + group && j <= hi * dilation + group;
            }
            """ + "\n\n" + d.comments([
            "The neighborhood mask: the AND of the per-axis masks on the tokens' grid coordinates",
            "(query grid = key grid, grid_<axis> tokens per axis).",
        ]) + """

            bool neighborhood_mask_allows(\(signature)) {
            \(coordinates(query: grid, key: grid).map { "    " + $0 }.joined(separator: "\n"))
                return \(conjunction);
            }
            """
    }

    private func blockSparseFunction(_ d: KernelDialect, signature: String) -> String {
        let queryGrid = { (axis: Int) in d.maskSize("query_grid_\(axis)") }
        let keyGrid = { (axis: Int) in d.maskSize("key_grid_\(axis)") }
        // BlockGrid.block(ofToken:), unrolled over the axes: explicit strides of the box grids.
        var strides: [String] = []
        var queryStride = "1", keyStride = "1"
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides.append("const int query_stride_\(axis) = \(queryStride), key_stride_\(axis) = \(keyStride);")
            queryStride = "query_stride_\(axis) * ((\(queryGrid(axis)) + QUERY_BLOCK_\(axis) - 1) / QUERY_BLOCK_\(axis))"
            keyStride = "key_stride_\(axis) * ((\(keyGrid(axis)) + KEY_BLOCK_\(axis) - 1) / KEY_BLOCK_\(axis))"
        }
        let queryBlock = (0..<rank).map { "(q\($0) / QUERY_BLOCK_\($0)) * query_stride_\($0)" }.joined(separator: " + ")
        let keyBlock = (0..<rank).map { "(k\($0) / KEY_BLOCK_\($0)) * key_stride_\($0)" }.joined(separator: " + ")
        let body = coordinates(query: queryGrid, key: keyGrid) + [
            d.comment("Strides of the row-major box grids (BlockGrid.counts), last axis fastest."),
        ] + strides + [
            "const int key_blocks = \(keyStride);",
            "const int pair = (\(queryBlock)) * key_blocks + \(keyBlock);",
            "if (\(d.maskTable("pair")) == 0) return false;",
            "return !BLOCK_SPARSE_CAUSAL || key <= query + \(d.maskSize("key_tokens")) - \(d.maskSize("query_tokens"));",
        ]
        return d.comments([
            "Block-sparse (FlexAttention's BlockMask): query i sees key j iff the pair of their boxes",
            "(QUERY_BLOCK_* / KEY_BLOCK_* tokens per axis, BlockGrid.block(ofToken:)) is listed in the",
            "block table and, with BLOCK_SPARSE_CAUSAL, j <= i + Sk - Sq.",
        ]) + """

            bool block_sparse_mask_allows(\(signature)) {
            \(body.map { "    " + $0 }.joined(separator: "\n"))
            }
            """
    }
}
