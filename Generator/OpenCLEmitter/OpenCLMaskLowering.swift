import AttentionSpec

/// The mask predicate in OpenCL C: one small named function per mask kind, implementing the
/// same rules as `MaskPredicate` (tests evaluate it against `MaskPredicate` on every pair of
/// small grids). Mask parameters are `#define`s; the grid sizes the formula needs are kernel
/// arguments, gathered into a private `mask_params` record at the start of a kernel.
public struct OpenCLMaskLowering: Hashable, Sendable {
    public let mask: AttentionMask
    public let rank: Int

    public init(mask: AttentionMask, rank: Int) {
        self.mask = mask
        self.rank = rank
    }

    /// The predicate's name: `bool NAME(int query, int key, const mask_params* mask)`.
    public var functionName: String {
        switch mask {
        case .dense: "dense_mask_allows"
        case .causal: "causal_mask_allows"
        case .slidingWindow: "sliding_window_mask_allows"
        case .neighborhood: "neighborhood_mask_allows"
        case .blockSparse: "block_sparse_mask_allows"
        }
    }

    /// Kernel arguments the mask needs beyond `query_tokens` and `key_tokens`, which every
    /// attention kernel takes.
    public func arguments(for problem: AttentionProblem) -> [OpenCLKernelArgument] {
        switch mask {
        case .dense, .causal, .slidingWindow:
            return []
        case .neighborhood:
            return problem.queryShape.indices.map { .int("grid_\($0)", problem.queryShape[$0]) }
        case .blockSparse:
            return problem.queryShape.indices.map { .int("query_grid_\($0)", problem.queryShape[$0]) }
                + problem.keyShape.indices.map { .int("key_grid_\($0)", problem.keyShape[$0]) }
                + [.planBuffer("block_table")]
        }
    }

    /// The statement that builds `mask` from the kernel arguments.
    public var initializer: String {
        let axes = 0..<rank
        func list(_ prefix: String) -> String { "{ " + axes.map { "\(prefix)\($0)" }.joined(separator: ", ") + " }" }
        switch mask {
        case .dense, .causal, .slidingWindow:
            return "const mask_params mask = { query_tokens, key_tokens };"
        case .neighborhood:
            return "const mask_params mask = { query_tokens, key_tokens, \(list("grid_")) };"
        case .blockSparse:
            return "const mask_params mask = { query_tokens, key_tokens, \(list("query_grid_")), \(list("key_grid_")), block_table };"
        }
    }

    /// The mask's `#define`s, the `mask_params` record and the predicate.
    public var source: String {
        switch mask {
        case .dense:
            return """
                \(record())

                /* Dense: every query sees every key (no visit is PARTIAL, so this is never called). */
                bool dense_mask_allows(int query, int key, const mask_params* mask) { return true; }
                """
        case .causal:
            return """
                \(record())

                /* Dense causal, bottom-right aligned (FlashAttention): query i sees key j iff j <= i + Sk - Sq. */
                bool causal_mask_allows(int query, int key, const mask_params* mask) {
                    return key <= query + mask->key_tokens - mask->query_tokens;
                }
                """
        case .slidingWindow(let left, let right):
            return """
                #define WINDOW_LEFT \(left)  /* keys left of the diagonal; -1: unbounded */
                #define WINDOW_RIGHT \(right)  /* keys right of the diagonal; -1: unbounded */

                \(record())

                /* Sliding window around the bottom-right aligned diagonal d = i + Sk - Sq:
                   d - WINDOW_LEFT <= j <= d + WINDOW_RIGHT. */
                bool sliding_window_mask_allows(int query, int key, const mask_params* mask) {
                    const int diagonal = query + mask->key_tokens - mask->query_tokens;
                    return (WINDOW_LEFT < 0 || key >= diagonal - WINDOW_LEFT) && (WINDOW_RIGHT < 0 || key <= diagonal + WINDOW_RIGHT);
                }
                """
        case .neighborhood(let axes):
            return neighborhoodSource(axes)
        case .blockSparse(let layout):
            return blockSparseSource(layout)
        }
    }

    private func record(_ extra: [String] = []) -> String {
        let fields = ["int query_tokens;  /* flat query grid size (Sq) */", "int key_tokens;    /* flat key grid size (Sk) */"] + extra
        return "/* Run-time sizes the mask formula reads. */\ntypedef struct {\n"
            + fields.map { "    " + $0 }.joined(separator: "\n") + "\n} mask_params;"
    }

    private func neighborhoodSource(_ axes: [NeighborhoodAxis]) -> String {
        let defines = axes.enumerated().map { axis, a in
            "#define NA_WINDOW_\(axis) \(a.window)\n#define NA_STRIDE_\(axis) \(a.stride)\n"
                + "#define NA_DILATION_\(axis) \(a.dilation)\n#define NA_CAUSAL_\(axis) \(a.causal ? 1 : 0)"
        }.joined(separator: "\n")
        // Row-major coordinates: peel the last axis first.
        var coordinates: [String] = ["    int q = query, k = key;"]
        for axis in stride(from: rank - 1, to: 0, by: -1) {
            coordinates.append("    const int q\(axis) = q % mask->length[\(axis)], k\(axis) = k % mask->length[\(axis)];")
            coordinates.append("    q /= mask->length[\(axis)];")
            coordinates.append("    k /= mask->length[\(axis)];")
        }
        coordinates.append("    const int q0 = q, k0 = k;")
        let conjunction = (0..<rank).map {
            "neighborhood_axis_allows(q\($0), k\($0), mask->length[\($0)], NA_WINDOW_\($0), NA_STRIDE_\($0), NA_DILATION_\($0), NA_CAUSAL_\($0))"
        }.joined(separator: "\n        && ")
        return """
            /* Neighborhood / GNA parameters per axis: window K, stride S, dilation D, causal. */
            \(defines)

            \(record(["int length[\(rank)];  /* token grid per axis (query grid = key grid) */"]))

            /* One axis of the neighborhood mask, as NeighborhoodAxis.keyWindow + allows: does query
               coordinate i see key coordinate j on an axis of `length` tokens? Dilation first (token x is
               in group x mod D at local coordinate x div D); then, in local coordinates of a group of n
               tokens, non-causal: the stride group's leader min((i div S)*S + S div 2, n - 1), its centre
               clamped to [wl, n - 1 - wr], keys centre - wl .. centre + wr (shifted inward at the borders,
               never clipped); causal: leader min((i div S)*S + S - 1, n - 1), keys max(leader - K + 1, 0) .. i. */
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

            /* The neighborhood mask: the AND of the per-axis masks on the tokens' grid coordinates. */
            bool neighborhood_mask_allows(int query, int key, const mask_params* mask) {
            \(coordinates.joined(separator: "\n"))
                return \(conjunction);
            }
            """
    }

    private func blockSparseSource(_ layout: BlockSparseLayout) -> String {
        let axes = 0..<rank
        let defines = axes.map { "#define QUERY_BLOCK_\($0) \(layout.queryBlock[$0])\n#define KEY_BLOCK_\($0) \(layout.keyBlock[$0])" }
            .joined(separator: "\n")
        func list(_ prefix: String) -> String { "{ " + axes.map { "\(prefix)\($0)" }.joined(separator: ", ") + " }" }
        return """
            /* Block shapes per axis and whether the dense causal rule applies on top. */
            \(defines)
            #define BLOCK_SPARSE_CAUSAL \(layout.causal ? 1 : 0)
            #define MASK_RANK \(rank)

            \(record([
                "int query_grid[MASK_RANK];  /* query token grid per axis */",
                "int key_grid[MASK_RANK];    /* key token grid per axis */",
                "__global const int* listed; /* block_table: [query block][key block] = 1 when listed */",
            ]))

            /* BlockGrid.block(ofToken:): the row-major index of the box of `block` tokens per axis holding
               flat token `token` of a row-major grid (boxes at the far edges may be smaller). */
            int block_of_token(int token, const int* grid, const int* block) {
                int index = 0, blocks_after = 1;
                for (int axis = MASK_RANK - 1; axis >= 0; --axis) {
                    const int coordinate = token % grid[axis];
                    token /= grid[axis];
                    index += (coordinate / block[axis]) * blocks_after;
                    blocks_after *= (grid[axis] + block[axis] - 1) / block[axis];
                }
                return index;
            }

            /* Block-sparse (FlexAttention's BlockMask): query i sees key j iff their blocks' pair is listed
               (kvIndices or fullIndices) and, with BLOCK_SPARSE_CAUSAL, j <= i + Sk - Sq. */
            bool block_sparse_mask_allows(int query, int key, const mask_params* mask) {
                const int query_block[MASK_RANK] = \(list("QUERY_BLOCK_"));
                const int key_block[MASK_RANK] = \(list("KEY_BLOCK_"));
                int key_blocks = 1;
                for (int axis = 0; axis < MASK_RANK; ++axis) key_blocks *= (mask->key_grid[axis] + key_block[axis] - 1) / key_block[axis];
                const int pair = block_of_token(query, mask->query_grid, query_block) * key_blocks
                    + block_of_token(key, mask->key_grid, key_block);
                if (mask->listed[pair] == 0) return false;
                return !BLOCK_SPARSE_CAUSAL || key <= query + mask->key_tokens - mask->query_tokens;
            }
            """
    }
}
