import AttentionSpec

/// The transposed plan, for the backward pass: for every key tile, the query tiles that visit
/// it, each FULL or PARTIAL exactly as in `visits(forQueryTile:)`. It is derived from the same
/// per-axis or flat rule, so skipping and mask-free FULL tiles hold in the backward too (as
/// NATTEN's backward derives its reverse neighborhoods from the forward's).
extension TilePlan {
    /// The query tiles that visit key tile `keyTile`, ascending by query tile index.
    public func visitors(ofKeyTile keyTile: Int) -> [QueryTileVisit] {
        switch strategy {
        case .perAxis(let axes):
            let keyIndices = keyTiles.axisIndices(of: keyTile)
            let rows = axes.indices.map { axis in axes[axis].visitors[keyIndices[axis]].map { ($0.queryTile, $0.tileClass) } }
            return Self.boxProduct(rows).map {
                QueryTileVisit(queryTile: queryTiles.index(ofAxisIndices: $0.indices), tileClass: $0.tileClass)
            }
        case .flat(let rule):
            return (0..<queryTiles.count).compactMap { queryTile in
                rule.classify(queryTile: queryTile, keyTile: keyTile).map { QueryTileVisit(queryTile: queryTile, tileClass: $0) }
            }
        }
    }

    /// Every key tile's visitors, in key tile order. For flat masks this classifies every tile
    /// pair once (bounded by the plan's enumeration limit); neighborhood masks invert per axis.
    public func allVisitors() -> [[QueryTileVisit]] {
        switch strategy {
        case .perAxis:
            return (0..<keyTiles.count).map(visitors(ofKeyTile:))
        case .flat:
            return Self.transposed(allVisits.map(\.visits), keyTiles: keyTiles.count)
        }
    }

    /// `visits` (per query tile, in query tile order) as visitors per key tile: for a caller that
    /// already holds the plan's visits, the transposed plan without classifying again.
    public static func transposed(_ visits: [[KeyTileVisit]], keyTiles: Int) -> [[QueryTileVisit]] {
        var result = [[QueryTileVisit]](repeating: [], count: keyTiles)
        for (queryTile, row) in visits.enumerated() {
            for visit in row { result[visit.keyTile].append(QueryTileVisit(queryTile: queryTile, tileClass: visit.tileClass)) }
        }
        return result
    }
}

/// The transposed plan's shape for one (batch, head): how key-tile-major backward work-groups
/// are loaded.
public struct TransposedPlanSummary: Hashable, Sendable, Codable {
    /// Key tiles some query tile visits (the others get zero dK and dV without work).
    public var visitedKeyTiles: Int
    /// The most query tiles any key tile is visited by: the longest key-tile-major work item.
    public var maxVisitors: Int
}

extension TilePlan {
    /// Counted per axis for neighborhood masks (the most visitors of a box is the product of
    /// each axis's most), by listing otherwise.
    public func transposedSummary() -> TransposedPlanSummary {
        switch strategy {
        case .perAxis(let axes):
            return TransposedPlanSummary(
                visitedKeyTiles: axes.reduce(1) { $0 * $1.visitors.filter { !$0.isEmpty }.count },
                maxVisitors: axes.reduce(1) { $0 * ($1.visitors.map(\.count).max() ?? 0) })
        case .flat:
            let visitors = allVisitors()
            return TransposedPlanSummary(
                visitedKeyTiles: visitors.filter { !$0.isEmpty }.count, maxVisitors: visitors.map(\.count).max() ?? 0)
        }
    }
}
