extension MaskPredicate {
    /// The most keys `visibleKeyCount` tests one by one (block-sparse masks only).
    public static let countingLimit = 1 << 24

    /// How many keys query `query` (a flat index) sees, from the same range and window rules
    /// `allows` uses but without building per-token tables, so it answers at once on huge grids.
    /// `nil` for a block-sparse mask over more than `countingLimit` keys.
    public static func visibleKeyCount(mask: AttentionMask, problem: AttentionProblem, query: Int) -> Int? {
        let (queries, keys) = (problem.queryTokens, problem.keyTokens)
        func clipped(_ range: (first: Int?, last: Int?)) -> Int {
            max(0, min(range.last ?? keys - 1, keys - 1) - max(range.first ?? 0, 0) + 1)
        }
        switch mask {
        case .dense:
            return keys
        case .causal:
            return clipped(denseKeyRange(query: query, queryCount: queries, keyCount: keys, left: nil, right: 0))
        case .slidingWindow(let left, let right):
            return clipped(denseKeyRange(
                query: query, queryCount: queries, keyCount: keys, left: left < 0 ? nil : left, right: right < 0 ? nil : right))
        case .neighborhood(let axes):
            let grid = TokenGrid(problem.queryShape)
            return axes.indices.reduce(1) { count, axis in
                let w = axes[axis].keyWindow(query: grid.coordinate(of: query, axis: axis), length: problem.queryShape[axis])
                return count * ((w.last - w.first) / axes[axis].dilation + 1)
            }
        case .varlen(let lengths):
            let interval = lengths.keyInterval(query: query)
            return interval.last - interval.first + 1
        case .blockSparse:
            guard keys <= countingLimit else { return nil }
            let predicate = MaskPredicate(mask: mask, problem: problem)
            return (0..<keys).reduce(0) { $0 + (predicate.allows(query: query, key: $1) ? 1 : 0) }
        }
    }
}
