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

    /// The queries of `queries` that may see some key of `keys`, when that is fewer than all of
    /// them; nil otherwise. The transpose of `visibleKeys`, for the backward's key-tile-major
    /// pass: a query whose window misses the keys' bounding box on some axis sees none of them,
    /// so its rows add nothing to the tile's dK and dV. Neighborhood masks only; kept queries
    /// stay in order.
    public func visibleQueries(ofKeys keys: [Int], among queries: [Int]) -> [Int]? {
        guard case .neighborhood = mask, !keys.isEmpty else { return nil }
        let rank = windowTable.count
        var box: [(first: Int, last: Int)] = Array(repeating: (Int.max, Int.min), count: rank)
        for key in keys {
            for axis in 0..<rank {
                let j = keyGrid.coordinate(of: key, axis: axis)
                box[axis] = (min(box[axis].first, j), max(box[axis].last, j))
            }
        }
        let kept = queries.filter { query in
            (0..<rank).allSatisfy { axis in
                let w = windowTable[axis][queryGrid.coordinate(of: query, axis: axis)]
                return w.first <= box[axis].last && w.last >= box[axis].first
            }
        }
        return kept.count < queries.count ? kept : nil
    }

    /// Neighborhood masks per row: a row whose window covers the key tile's bounding box on every
    /// axis (and, with dilation, shares its group) needs nothing; a row disjoint from it on some
    /// axis is masked whole; only the rows in between are checked, run of keys by run.
    private func maskNeighborhoodTile(
        _ axes: [NeighborhoodAxis], queries: [Int], keys: [Int], scores: UnsafeMutablePointer<Float>, ld: Int, offset: Int
    ) {
        guard !keys.isEmpty else { return }
        let keyRuns = TokenRuns(keys, grid: keyGrid)
        let rank = axes.count
        var windows: [(first: Int, last: Int)] = Array(repeating: (0, 0), count: rank)
        for (r, query) in queries.enumerated() {
            var coversAll = true
            var disjoint = false
            for axis in 0..<rank {
                let w = windowTable[axis][queryGrid.coordinate(of: query, axis: axis)]
                windows[axis] = w
                let (lowest, highest) = keyRuns.bounds[axis]
                if w.last < lowest || w.first > highest { disjoint = true }
                if w.first > lowest || w.last < highest || (axes[axis].dilation > 1 && lowest != highest) {
                    coversAll = false
                } else if axes[axis].dilation > 1 && (lowest - w.first) % axes[axis].dilation != 0 {
                    disjoint = true
                }
            }
            let row = scores + r * ld + offset
            if disjoint {
                row.update(repeating: -.infinity, count: keys.count)
            } else if !coversAll {
                Self.maskNeighborhoodRow(row, windows: windows, axes: axes, keyRuns: keyRuns)
            }
        }
    }

    /// One row of a neighborhood mask: per run of keys, one check of the coordinates it shares,
    /// then the last axis's window as an interval of the run (or key by key when it is dilated).
    private static func maskNeighborhoodRow(
        _ row: UnsafeMutablePointer<Float>, windows: [(first: Int, last: Int)], axes: [NeighborhoodAxis], keyRuns: TokenRuns
    ) {
        let rank = axes.count
        // Inside the window and in the query's dilation group (the window's ends are in it).
        func outside(_ j: Int, _ axis: Int) -> Bool {
            let w = windows[axis]
            return j < w.first || j > w.last || (axes[axis].dilation > 1 && (j - w.first) % axes[axis].dilation != 0)
        }
        keyRuns.forEach { run, coordinates in
            let start = row + run.column
            if (0..<(rank - 1)).contains(where: { outside(coordinates[$0], $0) }) {
                start.update(repeating: -.infinity, count: run.length)
                return
            }
            let (first, w) = (coordinates[rank - 1], windows[rank - 1])
            guard axes[rank - 1].dilation == 1 else {
                for c in 0..<run.length where outside(first + c, rank - 1) { start[c] = -.infinity }
                return
            }
            let before = min(max(w.first - first, 0), run.length)
            let after = min(max(first + run.length - 1 - w.last, 0), run.length - before)
            start.update(repeating: -.infinity, count: before)
            (start + run.length - after).update(repeating: -.infinity, count: after)
        }
    }
}

/// A token list as runs of consecutive tokens along the grid's last axis (every other coordinate
/// is constant along a run), with each run's first coordinates and the list's bounding box:
/// a mask is then one check per run and two fills, not a test per token.
private struct TokenRuns {
    struct Run {
        /// First position of the run in the list, and its length.
        let column: Int
        let length: Int
    }
    let runs: [Run]
    /// Grid coordinates of each run's first token, run-major.
    let starts: [Int]
    let rank: Int
    /// Per axis, the lowest and highest coordinate of any token.
    let bounds: [(lowest: Int, highest: Int)]

    init(_ tokens: [Int], grid: TokenGrid) {
        rank = grid.rank
        let lastLength = grid.shape[rank - 1]
        var runs: [Run] = []
        var starts: [Int] = []
        var bounds = Array(repeating: (lowest: Int.max, highest: Int.min), count: rank)
        var column = 0
        while column < tokens.count {
            let token = tokens[column]
            for axis in 0..<rank { starts.append(grid.coordinate(of: token, axis: axis)) }
            let lastFirst = starts[starts.count - 1]
            var length = 1
            while column + length < tokens.count, tokens[column + length] == token + length, lastFirst + length < lastLength { length += 1 }
            for (axis, j) in starts.suffix(rank).enumerated() {
                let end = axis == rank - 1 ? j + length - 1 : j
                bounds[axis] = (min(bounds[axis].lowest, j), max(bounds[axis].highest, end))
            }
            runs.append(Run(column: column, length: length))
            column += length
        }
        self.runs = runs
        self.starts = starts
        self.bounds = bounds
    }

    /// Calls `body` with each run and its first token's coordinates.
    func forEach(_ body: (Run, UnsafeBufferPointer<Int>) -> Void) {
        starts.withUnsafeBufferPointer { starts in
            for (index, run) in runs.enumerated() {
                body(run, UnsafeBufferPointer(rebasing: starts[(index * rank)..<((index + 1) * rank)]))
            }
        }
    }
}
