import AttentionSpec

/// The single source of block sparsity: for every query tile, the key tiles to visit, each
/// FULL (no mask needed) or PARTIAL (mask per element). Tiles with no allowed pair are not
/// listed. The interpreter and every emitted kernel visit exactly these tiles.
///
/// Neighborhood masks are planned per axis and combined (the mask is a product of per-axis
/// masks), so summaries of large 3-D problems cost only per-axis work; the per-tile lists are
/// produced on demand by `visits(forQueryTile:)`.
public struct TilePlan: Sendable {
    public let spec: AttentionSpec
    public let queryTiles: TileGrid
    public let keyTiles: TileGrid
    let strategy: Strategy

    enum Strategy: Sendable {
        case perAxis([AxisVisits])
        case flat(FlatTileRule)
    }

    /// Plans a spec; the spec is validated first.
    public init(_ spec: AttentionSpec) throws(SpecError) {
        try spec.validate()
        self.spec = spec
        let p = spec.problem
        let dilation: [Int]
        if case .neighborhood(let axes) = spec.mask { dilation = axes.map(\.dilation) } else { dilation = Array(repeating: 1, count: p.rank) }
        let tiling = spec.effectiveTiling
        try Self.checkEnumeration(spec, tiling: tiling)
        queryTiles = TileGrid(shape: p.queryShape, tile: tiling.queryTile, dilation: dilation)
        keyTiles = TileGrid(shape: p.keyShape, tile: tiling.keyTile, dilation: dilation)
        if case .neighborhood(let axes) = spec.mask {
            strategy = .perAxis(axes.indices.map { [queryTiles, keyTiles] axis in
                AxisVisits(rule: axes[axis], queryTiling: queryTiles.axes[axis], keyTiling: keyTiles.axes[axis])
            })
        } else {
            strategy = .flat(FlatTileRule(mask: spec.mask, problem: p, queryTiles: queryTiles, keyTiles: keyTiles))
        }
        try checkSchedule()
    }

    /// The key tiles query tile `queryTile` visits, ascending by key tile index.
    public func visits(forQueryTile queryTile: Int) -> [KeyTileVisit] {
        switch strategy {
        case .perAxis(let axes):
            let queryIndices = queryTiles.axisIndices(of: queryTile)
            let rows = axes.indices.map { axis in axes[axis].visits[queryIndices[axis]].map { ($0.keyTile, $0.tileClass) } }
            return Self.boxProduct(rows).map { KeyTileVisit(keyTile: keyTiles.index(ofAxisIndices: $0.indices), tileClass: $0.tileClass) }
        case .flat(let rule):
            return (0..<keyTiles.count).compactMap { keyTile in
                rule.classify(queryTile: queryTile, keyTile: keyTile).map { KeyTileVisit(keyTile: keyTile, tileClass: $0) }
            }
        }
    }

    /// The row-major product of per-axis tile lists (a box pair is FULL when every axis pair
    /// is): indices come out ascending.
    static func boxProduct(_ rows: [[(tile: Int, tileClass: TileClass)]]) -> [(indices: [Int], tileClass: TileClass)] {
        var combined: [(indices: [Int], full: Bool)] = [([], true)]
        for row in rows {
            combined = combined.flatMap { prefix in row.map { (prefix.indices + [$0.tile], prefix.full && $0.tileClass == .full) } }
        }
        return combined.map { ($0.indices, $0.full ? .full : .partial) }
    }

    /// How many key tiles query tile `queryTile` visits, without listing them.
    public func visitCount(forQueryTile queryTile: Int) -> Int {
        switch strategy {
        case .perAxis(let axes):
            let queryIndices = queryTiles.axisIndices(of: queryTile)
            return axes.indices.reduce(1) { $0 * axes[$1].visits[queryIndices[$1]].count }
        case .flat:
            return visits(forQueryTile: queryTile).count
        }
    }

    /// At least the visits of one (batch, head), without listing them: exact per axis for
    /// neighborhood masks, every tile pair otherwise (bounded by `enumerationLimit`).
    var visitBound: Int {
        switch strategy {
        case .perAxis(let axes): axes.reduce(1) { $0 * $1.visits.reduce(0) { $0 + $1.count } }
        case .flat: queryTiles.count * keyTiles.count
        }
    }

    /// Every (query tile, visits) in query tile order, produced lazily.
    public var allVisits: some Sequence<(queryTile: Int, visits: [KeyTileVisit])> {
        (0..<queryTiles.count).lazy.map { (queryTile: $0, visits: visits(forQueryTile: $0)) }
    }

    /// Counts for one (batch, head).
    public func summary() -> PlanSummary {
        switch strategy {
        case .perAxis(let axes):
            // Sums over boxes of products over axes are products over axes of per-axis sums.
            var result = PlanSummary.unit
            for (axis, visits) in axes.enumerated() {
                let queryAxis = queryTiles.axes[axis]
                let keyAxis = keyTiles.axes[axis]
                var axisSummary = PlanSummary.zero
                axisSummary.queryTiles = queryAxis.tiles.count
                axisSummary.keyTiles = keyAxis.tiles.count
                axisSummary.allowedPairs = visits.allowedPairs
                for (q, row) in visits.visits.enumerated() {
                    for visit in row {
                        let elements = queryAxis.tiles[q].count * keyAxis.tiles[visit.keyTile].count
                        axisSummary.visitedTilePairs += 1
                        axisSummary.visitedElementPairs += elements
                        if visit.tileClass == .full {
                            axisSummary.fullTilePairs += 1
                            axisSummary.fullElementPairs += elements
                        }
                    }
                }
                result = result.product(axisSummary)
            }
            result.denseElementPairs = spec.problem.queryTokens * spec.problem.keyTokens
            return result
        case .flat(let rule):
            var result = PlanSummary.zero
            result.queryTiles = queryTiles.count
            result.keyTiles = keyTiles.count
            result.denseElementPairs = spec.problem.queryTokens * spec.problem.keyTokens
            result.allowedPairs = rule.allowedPairs()
            for (queryTile, visits) in allVisits {
                let queryCount = queryTiles.tokenCount(of: queryTile)
                for visit in visits {
                    let elements = queryCount * keyTiles.tokenCount(of: visit.keyTile)
                    result.visitedTilePairs += 1
                    result.visitedElementPairs += elements
                    if visit.tileClass == .full {
                        result.fullTilePairs += 1
                        result.fullElementPairs += elements
                    }
                }
            }
            return result
        }
    }
}
