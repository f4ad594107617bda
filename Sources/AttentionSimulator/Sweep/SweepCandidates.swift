import AttentionSpec

/// The tile shapes and strides a sweep tries. Bounded so that a sweep stays at a few hundred
/// simulations: every side a power of two, at most 256 tokens per tile, boxes no more
/// elongated than 4:1.
enum SweepCandidates {
    static let maxTileTokens = 256

    /// Tile boxes for a grid of `rank` axes.
    static func tileShapes(rank: Int) -> [[Int]] {
        switch rank {
        case 1:
            return [16, 32, 64, 128, 256].map { [$0] }
        default:
            let sides = [1, 2, 4, 8, 16, 32, 64, 128]
            let minTokens = rank == 2 ? 16 : 32
            var boxes: [[Int]] = [[]]
            for _ in 0..<rank { boxes = boxes.flatMap { box in sides.map { box + [$0] } } }
            return boxes.filter { box in
                let tokens = box.reduce(1, *)
                let (small, large) = (box.min() ?? 1, box.max() ?? 1)
                return tokens >= minTokens && tokens <= maxTileTokens && large <= 4 * small
            }
        }
    }

    /// Tilings to try: for one axis every query × key pair, for boxes the key tile equal to the
    /// query tile, doubled or halved. Sides are clipped to the grid.
    static func tilings(for spec: AttentionSpec) -> [Tiling] {
        let p = spec.problem
        let shapes = tileShapes(rank: p.rank)
        var pairs: [([Int], [Int])]
        if p.rank == 1 {
            pairs = shapes.flatMap { q in shapes.map { k in (q, k) } }
        } else {
            pairs = shapes.flatMap { q in
                [q, q.map { $0 * 2 }, q.map { max(1, $0 / 2) }].filter { $0.reduce(1, *) <= maxTileTokens }.map { (q, $0) }
            }
        }
        let clip = { (box: [Int], shape: [Int]) in zip(box, shape).map { min($0, $1) } }
        var seen = Set<Tiling>()
        return (pairs.map { Tiling(queryTile: clip($0.0, p.queryShape), keyTile: clip($0.1, p.keyShape)) })
            .filter { seen.insert($0).inserted }
    }

    /// Per-axis stride candidates of a neighborhood mask: powers of two up to the window, the
    /// window, and the spec's tile sizes (a stride that is a multiple of the query tile is what
    /// makes GNA tiles mask-free).
    static func strideCandidates(for axes: [NeighborhoodAxis], tiling: Tiling) -> [[Int]] {
        axes.indices.map { axis in
            let window = axes[axis].window
            let powers = sequence(first: 1) { $0 * 2 }.prefix { $0 <= window }
            let values = Set(powers + [window, tiling.queryTile[axis], tiling.keyTile[axis]]).filter { $0 <= window }
            return values.sorted()
        }
    }

    /// Stride combinations: the full product when it has at most `limit` entries, otherwise the
    /// same candidate on every axis (clipped to each axis's window).
    static func strideCombinations(_ perAxis: [[Int]], windows: [Int], limit: Int) -> [[Int]] {
        let product = perAxis.reduce(1) { $0 * $1.count }
        if product <= limit {
            return perAxis.reduce([[]]) { combos, values in combos.flatMap { c in values.map { c + [$0] } } }
        }
        let values = Set(perAxis.flatMap { $0 }).sorted()
        var seen = Set<[Int]>()
        return values.map { v in windows.map { min(v, $0) } }.filter { seen.insert($0).inserted }
    }
}
