/// The one evaluator of `mask.allows(query, key)`, compiled once per (mask, problem).
///
/// Indices are flat row-major token indices of the query and key grids. Everything that needs
/// an element mask (reference, interpreter, plan classification, tests of emitted kernels)
/// calls this; the plan's per-axis fast paths use `NeighborhoodAxis.keyWindow` and
/// `denseKeyRange`, which this also uses, so there is one rule for each mask kind.
public struct MaskPredicate: Sendable {
    public let mask: AttentionMask
    public let queryGrid: TokenGrid
    public let keyGrid: TokenGrid
    private let blockTable: BlockTable?
    /// Neighborhood masks: each axis's key window for every query coordinate, computed once
    /// from `NeighborhoodAxis.keyWindow` (flat: `[axis][coordinate]`).
    let windowTable: [[(first: Int, last: Int)]]

    /// Builds the predicate; `mask` and `problem` must come from a validated spec.
    public init(mask: AttentionMask, problem: AttentionProblem) {
        self.mask = mask
        self.queryGrid = TokenGrid(problem.queryShape)
        self.keyGrid = TokenGrid(problem.keyShape)
        if case .blockSparse(let layout) = mask {
            blockTable = BlockTable(layout: layout, queryGrid: queryGrid, keyGrid: keyGrid)
        } else {
            blockTable = nil
        }
        if case .neighborhood(let axes) = mask {
            windowTable = axes.indices.map { axis in
                let length = problem.queryShape[axis]
                return (0..<length).map { axes[axis].keyWindow(query: $0, length: length) }
            }
        } else {
            windowTable = []
        }
    }

    /// The flat key range `first...last` a dense-style mask (causal, sliding window) gives
    /// query `i` of `queryCount` against `keyCount` keys, bottom-right aligned; `nil` bounds
    /// are unbounded. Not clipped to `0..<keyCount`.
    public static func denseKeyRange(
        query i: Int, queryCount: Int, keyCount: Int, left: Int?, right: Int?
    ) -> (first: Int?, last: Int?) {
        let diagonal = i + keyCount - queryCount
        return (left.map { diagonal - $0 }, right.map { diagonal + $0 })
    }

    public func allows(query: Int, key: Int) -> Bool {
        switch mask {
        case .dense:
            return true
        case .causal:
            return key <= query + keyGrid.count - queryGrid.count
        case .slidingWindow(let left, let right):
            let range = Self.denseKeyRange(
                query: query, queryCount: queryGrid.count, keyCount: keyGrid.count,
                left: left < 0 ? nil : left, right: right < 0 ? nil : right)
            if let first = range.first, key < first { return false }
            if let last = range.last, key > last { return false }
            return true
        case .neighborhood(let axes):
            for axis in axes.indices {
                let window = windowTable[axis][queryGrid.coordinate(of: query, axis: axis)]
                let j = keyGrid.coordinate(of: key, axis: axis)
                // The window's ends lie in the query's dilation group.
                if j < window.first || j > window.last || (j - window.first) % axes[axis].dilation != 0 { return false }
            }
            return true
        case .blockSparse(let layout):
            guard let blockTable, blockTable.contains(query: query, key: key) else { return false }
            return !layout.causal || key <= query + keyGrid.count - queryGrid.count
        case .varlen(let lengths):
            let interval = lengths.keyInterval(query: query)
            return key >= interval.first && key <= interval.last
        }
    }
}

/// Which (query block, key block) pairs a block-sparse mask lists, as a dense bit table.
public struct BlockTable: Sendable {
    public let queryBlocks: BlockGrid
    public let keyBlocks: BlockGrid
    let listed: [Bool]

    public init(layout: BlockSparseLayout, queryGrid: TokenGrid, keyGrid: TokenGrid) {
        queryBlocks = BlockGrid(grid: queryGrid, block: layout.queryBlock)
        keyBlocks = BlockGrid(grid: keyGrid, block: layout.keyBlock)
        var listed = Array(repeating: false, count: queryBlocks.count * keyBlocks.count)
        for qb in 0..<min(queryBlocks.count, layout.kvIndices.count) {
            for kb in layout.listedKeyBlocks(ofQueryBlock: qb) where kb >= 0 && kb < keyBlocks.count {
                listed[qb * keyBlocks.count + kb] = true
            }
        }
        self.listed = listed
    }

    public func isListed(queryBlock: Int, keyBlock: Int) -> Bool { listed[queryBlock * keyBlocks.count + keyBlock] }

    func contains(query: Int, key: Int) -> Bool {
        isListed(queryBlock: queryBlocks.block(ofToken: query), keyBlock: keyBlocks.block(ofToken: key))
    }
}

/// A token grid cut into boxes of `block` tokens per axis (the last box on an axis may be
/// smaller); boxes are numbered row-major over the box grid.
public struct BlockGrid: Hashable, Sendable {
    public let grid: TokenGrid
    public let block: [Int]
    /// Number of boxes per axis.
    public let counts: TokenGrid

    public init(grid: TokenGrid, block: [Int]) {
        self.grid = grid
        self.block = block
        // (n - 1) / b + 1 is ceil(n / b) without overflow for blocks near Int.max.
        self.counts = TokenGrid(zip(grid.shape, block).map { ($0 - 1) / $1 + 1 })
    }

    public var count: Int { counts.count }

    public func block(ofToken token: Int) -> Int {
        var index = 0
        for axis in 0..<grid.rank {
            index += (grid.coordinate(of: token, axis: axis) / block[axis]) * counts.strides[axis]
        }
        return index
    }

    /// The token range `lower..<upper` that box `index` covers on `axis`.
    public func range(ofBlock index: Int, axis: Int) -> Range<Int> {
        let lower = counts.coordinate(of: index, axis: axis) * block[axis]
        return lower..<min(lower + block[axis], grid.shape[axis])
    }

    /// The flat token indices of box `index`, row-major within the box.
    public func tokens(ofBlock index: Int) -> [Int] {
        var tokens = [0]
        for axis in 0..<grid.rank {
            let r = range(ofBlock: index, axis: axis)
            tokens = tokens.flatMap { base in r.map { base + $0 * grid.strides[axis] } }
        }
        return tokens
    }
}
