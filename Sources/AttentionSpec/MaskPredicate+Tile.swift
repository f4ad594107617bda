/// Tile-at-a-time evaluation of the same rules as `allows(query:key:)`: the kind of mask is
/// decided once per tile and each query row's window is computed once, instead of per element.
extension MaskPredicate {
    /// Sets `scores[r·ld + offset + c]` to −∞ for every (query `queries[r]`, key `keys[c]`) the
    /// mask disallows. Indices are flat token indices.
    public func maskTile(queries: [Int], keys: [Int], scores: UnsafeMutablePointer<Float>, ld: Int, offset: Int = 0) {
        switch mask {
        case .dense:
            return
        case .causal, .slidingWindow:
            let (left, right): (Int?, Int?)
            if case .slidingWindow(let l, let r) = mask { (left, right) = (l < 0 ? nil : l, r < 0 ? nil : r) } else { (left, right) = (nil, 0) }
            for (r, query) in queries.enumerated() {
                let range = Self.denseKeyRange(query: query, queryCount: queryGrid.count, keyCount: keyGrid.count, left: left, right: right)
                let (first, last) = (range.first ?? Int.min, range.last ?? Int.max)
                let row = scores + r * ld + offset
                for (c, key) in keys.enumerated() where key < first || key > last { row[c] = -.infinity }
            }
        case .neighborhood(let axes):
            let rank = axes.count
            // Key coordinates, axis-major, computed once for the tile.
            var keyCoordinates = [Int](repeating: 0, count: rank * keys.count)
            for axis in 0..<rank {
                for (c, key) in keys.enumerated() { keyCoordinates[axis * keys.count + c] = keyGrid.coordinate(of: key, axis: axis) }
            }
            var windows = [(first: Int, last: Int, dilation: Int)](repeating: (0, 0, 1), count: rank)
            for (r, query) in queries.enumerated() {
                for axis in 0..<rank {
                    let w = axes[axis].keyWindow(query: queryGrid.coordinate(of: query, axis: axis), length: queryGrid.shape[axis])
                    windows[axis] = (w.first, w.last, axes[axis].dilation)
                }
                let row = scores + r * ld + offset
                for c in 0..<keys.count {
                    for axis in 0..<rank {
                        let j = keyCoordinates[axis * keys.count + c]
                        let w = windows[axis]
                        // Inside the window and in the query's dilation group (the window's ends are in it).
                        if j < w.first || j > w.last || (j - w.first) % w.dilation != 0 {
                            row[c] = -.infinity
                            break
                        }
                    }
                }
            }
        case .blockSparse:
            for (r, query) in queries.enumerated() {
                let row = scores + r * ld + offset
                for (c, key) in keys.enumerated() where !allows(query: query, key: key) { row[c] = -.infinity }
            }
        }
    }
}
