/// How the token grids are cut into tiles: boxes of tokens per axis, clipped at the edge.
///
/// Tiling changes how the work is done, never the result (Halide's algorithm/schedule split).
public struct Tiling: Hashable, Sendable {
    public var queryTile: [Int]
    public var keyTile: [Int]

    public init(queryTile: [Int], keyTile: [Int]) {
        self.queryTile = queryTile
        self.keyTile = keyTile
    }

    /// The default tiling for a problem and mask: 64 tokens per tile as a 64 / 8×8 / 4×4×4 box,
    /// or the block shape of a block-sparse mask so that blocks and tiles coincide.
    public static func `default`(for problem: AttentionProblem, mask: AttentionMask) -> Tiling {
        if case .blockSparse(let layout) = mask {
            return Tiling(queryTile: layout.queryBlock, keyTile: layout.keyBlock)
        }
        let box: [Int]
        switch problem.rank {
        case 1: box = [64]
        case 2: box = [8, 8]
        default: box = Array(repeating: 4, count: problem.rank)
        }
        return Tiling(queryTile: box, keyTile: box)
    }
}

extension AttentionSpec {
    /// The tiling as the plan cuts it: a tile larger than its axis is clipped to the axis (the
    /// same tiles), so sizes derived from tiles never exceed the grid. Tiles are clamped rather
    /// than refused because the default box (64 tokens) routinely exceeds short axes (decode).
    public var effectiveTiling: Tiling {
        Tiling(
            queryTile: zip(tiling.queryTile, problem.queryShape).map { min($0, $1) },
            keyTile: zip(tiling.keyTile, problem.keyShape).map { min($0, $1) })
    }
}
