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
            maskNeighborhoodTile(axes, queries: queries, keys: keys, scores: scores, ld: ld, offset: offset)
        case .varlen(let lengths):
            for (r, query) in queries.enumerated() {
                let (first, last) = lengths.keyInterval(query: query)
                let row = scores + r * ld + offset
                for (c, key) in keys.enumerated() where key < first || key > last { row[c] = -.infinity }
            }
        case .blockSparse:
            for (r, query) in queries.enumerated() {
                let row = scores + r * ld + offset
                for (c, key) in keys.enumerated() where !allows(query: query, key: key) { row[c] = -.infinity }
            }
        }
    }

    /// The keys of `keys` that some query of `queries` may see, when that is fewer than all of
    /// them; nil otherwise. Neighborhood masks only: a key outside the union of the queries'
    /// windows on some axis is masked for every query, so a PARTIAL visit computes only the
    /// rest (FlashAttention-style tiles pay for the whole key tile; a 2-D 13×13 window over
    /// 8×8 tiles computes 3.1× its useful scores, trimmed 2.2×). Kept keys stay in order.
    public func visibleKeys(ofQueries queries: [Int], among keys: [Int]) -> [Int]? {
        guard case .neighborhood = mask, !queries.isEmpty else { return nil }
        let rank = windowTable.count
        var union: [(first: Int, last: Int)] = Array(repeating: (Int.max, Int.min), count: rank)
        for query in queries {
            for axis in 0..<rank {
                let w = windowTable[axis][queryGrid.coordinate(of: query, axis: axis)]
                union[axis] = (min(union[axis].first, w.first), max(union[axis].last, w.last))
            }
        }
        let kept = keys.filter { key in
            (0..<rank).allSatisfy { axis in
                let j = keyGrid.coordinate(of: key, axis: axis)
                return j >= union[axis].first && j <= union[axis].last
            }
        }
        return kept.count < keys.count ? kept : nil
    }

    /// Neighborhood masks per row: a row whose window covers the key tile's bounding box on every
    /// axis (and, with dilation, shares its group) needs nothing; a row disjoint from it on some
    /// axis is masked whole; only the rows in between are checked key by key.
    private func maskNeighborhoodTile(
        _ axes: [NeighborhoodAxis], queries: [Int], keys: [Int], scores: UnsafeMutablePointer<Float>, ld: Int, offset: Int
    ) {
        let rank = axes.count
        let count = keys.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank * count + 2 * rank) { buffer in
            let coordinates = buffer.baseAddress!  // axis-major key coordinates
            let lowest = coordinates + rank * count
            let highest = lowest + rank
            for axis in 0..<rank {
                var (lo, hi) = (Int.max, Int.min)
                for c in 0..<count {
                    let j = keyGrid.coordinate(of: keys[c], axis: axis)
                    coordinates[axis * count + c] = j
                    lo = min(lo, j)
                    hi = max(hi, j)
                }
                (lowest[axis], highest[axis]) = (lo, hi)
            }
            var windows: [(first: Int, last: Int)] = Array(repeating: (0, 0), count: rank)
            for (r, query) in queries.enumerated() {
                let row = scores + r * ld + offset
                var coversAll = true
                var disjoint = false
                for axis in 0..<rank {
                    let w = windowTable[axis][queryGrid.coordinate(of: query, axis: axis)]
                    windows[axis] = w
                    if w.last < lowest[axis] || w.first > highest[axis] { disjoint = true }
                    if w.first > lowest[axis] || w.last < highest[axis] || (axes[axis].dilation > 1 && lowest[axis] != highest[axis]) {
                        coversAll = false
                    } else if axes[axis].dilation > 1 && (lowest[axis] - w.first) % axes[axis].dilation != 0 {
                        disjoint = true
                    }
                }
                if disjoint {
                    row.update(repeating: -.infinity, count: count)
                    continue
                }
                if coversAll { continue }
                for c in 0..<count {
                    for axis in 0..<rank {
                        let j = coordinates[axis * count + c]
                        let w = windows[axis]
                        // Inside the window and in the query's dilation group (the window's ends are in it).
                        if j < w.first || j > w.last || (axes[axis].dilation > 1 && (j - w.first) % axes[axis].dilation != 0) {
                            row[c] = -.infinity
                            break
                        }
                    }
                }
            }
        }
    }
}
