import AttentionSpec

/// Classifies tile pairs for masks defined on flat token indices (dense, causal, sliding window,
/// block-sparse), from the tiles' corner tokens where that is exact and by a search otherwise.
struct FlatTileRule: Sendable {
    let mask: AttentionMask
    let queryTiles: TileGrid
    let keyTiles: TileGrid
    let queryCount: Int
    let keyCount: Int
    private let blocks: BlockTable?
    private var isVarlen: Bool { if case .varlen = mask { true } else { false } }

    init(mask: AttentionMask, problem: AttentionProblem, queryTiles: TileGrid, keyTiles: TileGrid) {
        self.mask = mask
        self.queryTiles = queryTiles
        self.keyTiles = keyTiles
        queryCount = problem.queryTokens
        keyCount = problem.keyTokens
        if case .blockSparse(let layout) = mask {
            blocks = BlockTable(layout: layout, queryGrid: TokenGrid(problem.queryShape), keyGrid: TokenGrid(problem.keyShape))
        } else {
            blocks = nil
        }
    }

    /// The flat key interval query `q` may see before block membership; `nil` bounds are open.
    private func interval(_ q: Int) -> (first: Int?, last: Int?) {
        switch mask {
        case .causal:
            return MaskPredicate.denseKeyRange(query: q, queryCount: queryCount, keyCount: keyCount, left: nil, right: 0)
        case .slidingWindow(let left, let right):
            return MaskPredicate.denseKeyRange(
                query: q, queryCount: queryCount, keyCount: keyCount, left: left < 0 ? nil : left, right: right < 0 ? nil : right)
        case .blockSparse(let layout) where layout.causal:
            return MaskPredicate.denseKeyRange(query: q, queryCount: queryCount, keyCount: keyCount, left: nil, right: 0)
        case .varlen(let lengths):
            let interval = lengths.keyInterval(query: q)
            return (interval.first, interval.last)
        default:
            return (nil, nil)
        }
    }

    /// Class of a pair of ascending token sets under the interval rule; the sets are only
    /// listed (by `queries()`/`keys()`) when the corners cannot decide.
    private func intervalClass(
        queryCorners: (Int, Int), keyCorners: (Int, Int), contiguous: Bool, queries: () -> [Int], keys: () -> [Int]
    ) -> TileClass? {
        let (qMin, qMax) = queryCorners
        let (kMin, kMax) = keyCorners
        let (loMin, hiMin) = interval(qMin)
        let (loMax, hiMax) = interval(qMax)
        // Bounds grow with the query index, so corners decide "all" and "none" exactly.
        if let hiMax, hiMax < kMin { return nil }
        if let loMin, loMin > kMax { return nil }
        if (loMax.map { $0 <= kMin } ?? true) && (hiMin.map { $0 >= kMax } ?? true) { return .full }
        // Contiguous runs meet whenever the corners allow it (varlen's empty intervals aside);
        // boxes of several axes need a search.
        if contiguous, !isVarlen { return .partial }
        let keyList = keys()
        for q in queries() {
            let (lo, hi) = interval(q)
            let start = lowerBound(keyList, lo ?? Int.min)
            if start < keyList.count, hi.map({ keyList[start] <= $0 }) ?? true { return .partial }
        }
        return nil
    }

    private func intervalClass(queries: [Int], keys: [Int]) -> TileClass? {
        guard let qMin = queries.first, let qMax = queries.last, let kMin = keys.first, let kMax = keys.last else { return nil }
        return intervalClass(
            queryCorners: (qMin, qMax), keyCorners: (kMin, kMax), contiguous: queryTiles.axes.count == 1,
            queries: { queries }, keys: { keys })
    }

    func classify(queryTile: Int, keyTile: Int) -> TileClass? {
        switch mask {
        case .dense:
            return .full
        case .blockSparse:
            return blockClass(queryTile: queryTile, keyTile: keyTile)
        default:
            return intervalClass(
                queryCorners: queryTiles.cornerTokens(of: queryTile), keyCorners: keyTiles.cornerTokens(of: keyTile),
                contiguous: queryTiles.axes.count == 1, queries: { queryTiles.tokens(of: queryTile) },
                keys: { keyTiles.tokens(of: keyTile) })
        }
    }

    /// Block-sparse: split the tile pair along block borders; each piece is listed or not, and
    /// under `causal` classified by the interval rule.
    private func blockClass(queryTile: Int, keyTile: Int) -> TileClass? {
        guard let blocks else { return nil }
        let queries = queryTiles.tokens(of: queryTile)
        let keys = keyTiles.tokens(of: keyTile)
        let queryPieces = Dictionary(grouping: queries, by: blocks.queryBlocks.block(ofToken:))
        let keyPieces = Dictionary(grouping: keys, by: blocks.keyBlocks.block(ofToken:))
        var any = false
        var all = true
        for (qb, qTokens) in queryPieces {
            for (kb, kTokens) in keyPieces {
                guard blocks.isListed(queryBlock: qb, keyBlock: kb) else {
                    all = false
                    continue
                }
                switch intervalClass(queries: qTokens, keys: kTokens) {
                case .full: any = true
                case .partial: any = true; all = false
                case nil: all = false
                }
            }
        }
        return any ? (all ? .full : .partial) : nil
    }

    /// Allowed (query, key) pairs over the whole grid.
    func allowedPairs() -> Int {
        let keys = (0..<keyCount)
        switch mask {
        case .dense:
            return queryCount * keyCount
        case .blockSparse:
            guard let blocks else { return 0 }
            var total = 0
            for qb in 0..<blocks.queryBlocks.count {
                let qTokens = blocks.queryBlocks.tokens(ofBlock: qb)
                for kb in 0..<blocks.keyBlocks.count where blocks.isListed(queryBlock: qb, keyBlock: kb) {
                    let kTokens = blocks.keyBlocks.tokens(ofBlock: kb)
                    for q in qTokens { total += count(in: kTokens, interval(q)) }
                }
            }
            return total
        default:
            return (0..<queryCount).reduce(0) { $0 + count(in: keys, interval($1)) }
        }
    }

    private func count<C: RandomAccessCollection<Int>>(in sorted: C, _ bounds: (first: Int?, last: Int?)) -> Int where C.Index == Int {
        let start = bounds.first.map { lowerBound(sorted, $0) } ?? sorted.startIndex
        let end = bounds.last.map { lowerBound(sorted, $0 + 1) } ?? sorted.endIndex
        return max(0, end - start)
    }
}

/// First index in ascending `sorted` whose element is `>= value`.
func lowerBound<C: RandomAccessCollection<Int>>(_ sorted: C, _ value: Int) -> C.Index where C.Index == Int {
    var (lo, hi) = (sorted.startIndex, sorted.endIndex)
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
