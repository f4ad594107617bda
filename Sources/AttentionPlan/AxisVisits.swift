import AttentionSpec

/// The per-axis view of a neighborhood mask on one axis's tiles: for each query axis tile, the
/// key axis tiles it meets and whether all of their pairs are allowed on this axis. A
/// multi-axis neighborhood mask is the AND of its axes, so a box pair is visited when every
/// axis pair is, and FULL when every axis pair is.
struct AxisVisits: Sendable {
    /// `visits[q]`: the key axis tiles query axis tile `q` meets, in tile order.
    let visits: [[KeyTileVisit]]
    /// `visitors[k]`: the query axis tiles that meet key axis tile `k`, in tile order (the
    /// transpose of `visits`).
    let visitors: [[QueryTileVisit]]
    /// Allowed (query, key) coordinate pairs on this axis.
    let allowedPairs: Int

    init(rule: NeighborhoodAxis, queryTiling: AxisTiling, keyTiling: AxisTiling) {
        let length = queryTiling.length
        let dilation = rule.dilation
        // Each query's window in local coordinates of its group (windows never leave the group).
        let windows = (0..<length).map { i in
            let w = rule.keyWindow(query: i, length: length)
            return (first: w.first / dilation, last: w.last / dilation)
        }
        allowedPairs = windows.reduce(0) { $0 + $1.last - $1.first + 1 }
        // Key tiles grouped by dilation group, ascending in local coordinates.
        var keyTilesByGroup = [[Int]](repeating: [], count: dilation)
        for (index, tile) in keyTiling.tiles.enumerated() { keyTilesByGroup[tile.group].append(index) }

        let visits = queryTiling.tiles.map { queryTile in
            let rows = queryTile.coordinates.map { windows[$0] }
            // Windows move monotonically with the query, so the union is [first of first, last of last].
            let reach = (rows.map(\.first).min() ?? 0)...(rows.map(\.last).max() ?? -1)
            return keyTilesByGroup[queryTile.group].compactMap { keyIndex -> KeyTileVisit? in
                let key = keyTiling.tiles[keyIndex].local
                guard key.lowerBound <= reach.upperBound, key.upperBound - 1 >= reach.lowerBound else { return nil }
                var any = false
                var all = true
                for row in rows {
                    let meets = row.first <= key.upperBound - 1 && row.last >= key.lowerBound
                    let covers = row.first <= key.lowerBound && row.last >= key.upperBound - 1
                    any = any || meets
                    all = all && covers
                }
                guard any else { return nil }
                return KeyTileVisit(keyTile: keyIndex, tileClass: all ? .full : .partial)
            }
        }
        self.visits = visits
        visitors = TilePlan.transposed(visits, keyTiles: keyTiling.tiles.count)
    }
}
