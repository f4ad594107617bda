import AttentionSpec

/// A contiguous run of one output tile's key visits, done by one work-group.
public struct WorkSegment: Hashable, Sendable {
    public let batch: Int
    public let head: Int
    public let queryTile: Int
    /// Indices into `plan.visits(forQueryTile:)`.
    public let visits: Range<Int>
    /// Which partial result of the output tile this is; part 0 holds the tile's first key tile
    /// (LeanAttention's *host*).
    public let part: Int
    /// How many partial results the output tile is split into; 1 needs no merge.
    public let partCount: Int
}

/// The schedule applied to a plan: which work-group does which key visits.
///
/// - flash: one work-group per (batch, head, query tile), all its visits, no merge.
/// - splitKV(n): each output tile's visits in `n` near-equal chunks, one work-group each.
/// - lean(G): the flat list of (batch, head, query tile, key tile) work tiles split over `G`
///   work-groups by the stream-K rule: `maxPer = ceil(T/G)`, the first `T − (maxPer−1)·G`
///   groups take `maxPer` tiles, the rest `maxPer − 1`; ranges cross output-tile and head borders.
///
/// Partial results are merged by log-sum-exp in a separate step (no work-group waits on another).
public struct WorkPartition: Sendable {
    public let plan: TilePlan
    public let workgroupCount: Int
    /// Visits per query tile (the same for every batch and head).
    public let visitCounts: [Int]
    /// `visitPrefix[q]`: visits of query tiles before `q`; the last entry is the per-head total.
    private let visitPrefix: [Int]
    private let lean: LeanSplit?

    public init(plan: TilePlan) {
        self.plan = plan
        let p = plan.spec.problem
        visitCounts = (0..<plan.queryTiles.count).map { plan.visitCount(forQueryTile: $0) }
        var prefix = [0]
        for count in visitCounts { prefix.append(prefix.last! + count) }
        visitPrefix = prefix
        let outputTiles = p.batch * p.heads * plan.queryTiles.count
        switch plan.spec.schedule {
        case .flash:
            workgroupCount = outputTiles
            lean = nil
        case .splitKV(let splits):
            workgroupCount = outputTiles * splits
            lean = nil
        case .lean(let workgroups):
            workgroupCount = workgroups
            lean = LeanSplit(total: p.batch * p.heads * prefix.last!, workgroups: workgroups)
        }
    }

    public var outputTileCount: Int { plan.spec.problem.batch * plan.spec.problem.heads * plan.queryTiles.count }
    /// Total (batch, head, query tile, key tile) work tiles.
    public var totalWorkTiles: Int { plan.spec.problem.batch * plan.spec.problem.heads * visitPrefix.last! }

    /// Whether partial results need a merge step: every schedule but flash writes partials (the
    /// program runs a merge kernel even for `splitKV(1)`, so its slots must exist).
    public var needsMerge: Bool { plan.spec.schedule != .flash }

    /// (batch, head, query tile) of output tile `index`, ordered batch-major, then head.
    public func outputTile(_ index: Int) -> (batch: Int, head: Int, queryTile: Int) {
        let tiles = plan.queryTiles.count
        let heads = plan.spec.problem.heads
        return (index / (tiles * heads), (index / tiles) % heads, index % tiles)
    }

    /// The segments work-group `workgroup` computes, in order.
    public func segments(ofWorkgroup workgroup: Int) -> [WorkSegment] {
        switch plan.spec.schedule {
        case .flash:
            let tile = outputTile(workgroup)
            return [WorkSegment(
                batch: tile.batch, head: tile.head, queryTile: tile.queryTile, visits: 0..<visitCounts[tile.queryTile],
                part: 0, partCount: 1)]
        case .splitKV(let splits):
            let tile = outputTile(workgroup / splits)
            let split = workgroup % splits
            let count = visitCounts[tile.queryTile]
            return [WorkSegment(
                batch: tile.batch, head: tile.head, queryTile: tile.queryTile,
                visits: (split * count / splits)..<((split + 1) * count / splits), part: split, partCount: splits)]
        case .lean:
            return leanSegments(ofWorkgroup: workgroup)
        }
    }

    /// Work tiles (visited key tiles) of one work-group.
    public func workTiles(ofWorkgroup workgroup: Int) -> Int {
        segments(ofWorkgroup: workgroup).reduce(0) { $0 + $1.visits.count }
    }

    private func leanSegments(ofWorkgroup workgroup: Int) -> [WorkSegment] {
        guard let lean else { return [] }
        let perHead = visitPrefix.last!
        var segments: [WorkSegment] = []
        var flat = lean.start(of: workgroup)
        let end = lean.start(of: workgroup + 1)
        while flat < end {
            let headIndex = flat / perHead
            let withinHead = flat % perHead
            // The query tile whose visits hold `withinHead`: the last prefix entry <= it, skipping empty tiles.
            var queryTile = upperBound(visitPrefix, withinHead) - 1
            while visitCounts[queryTile] == 0 { queryTile += 1 }
            let tileStart = headIndex * perHead + visitPrefix[queryTile]
            let tileEnd = tileStart + visitCounts[queryTile]
            let stop = min(end, tileEnd)
            let firstPart = lean.workgroup(containing: tileStart)
            segments.append(WorkSegment(
                batch: headIndex / plan.spec.problem.heads, head: headIndex % plan.spec.problem.heads, queryTile: queryTile,
                visits: (flat - tileStart)..<(stop - tileStart), part: workgroup - firstPart,
                partCount: lean.workgroup(containing: tileEnd - 1) - firstPart + 1))
            flat = stop
        }
        return segments
    }

    /// Number of partial results output tile `index` is split into (0 when it has no visits
    /// under lean: the merge step then writes zeros and −inf).
    public func partCount(ofOutputTile index: Int) -> Int {
        let tile = outputTile(index)
        switch plan.spec.schedule {
        case .flash: return 1
        case .splitKV(let splits): return splits
        case .lean:
            guard let lean, visitCounts[tile.queryTile] > 0 else { return 0 }
            let start = (tile.batch * plan.spec.problem.heads + tile.head) * visitPrefix.last! + visitPrefix[tile.queryTile]
            return lean.workgroup(containing: start + visitCounts[tile.queryTile] - 1) - lean.workgroup(containing: start) + 1
        }
    }
}

/// The stream-K split of `total` work tiles over `workgroups` (DESIGN.md, as in ONNX Runtime's
/// LeanAttention).
struct LeanSplit: Sendable {
    let total: Int
    let workgroups: Int
    let maxPer: Int
    /// Work-groups that take `maxPer` tiles; the rest take `maxPer − 1`.
    let bigGroups: Int

    init(total: Int, workgroups: Int) {
        self.total = total
        self.workgroups = workgroups
        maxPer = (total + workgroups - 1) / workgroups
        bigGroups = total == 0 ? 0 : total - (maxPer - 1) * workgroups
    }

    /// First flat work tile of `workgroup` (and one past the last of `workgroup − 1`).
    func start(of workgroup: Int) -> Int {
        workgroup <= bigGroups ? workgroup * maxPer : bigGroups * maxPer + (workgroup - bigGroups) * (maxPer - 1)
    }

    func workgroup(containing flat: Int) -> Int {
        let bigTiles = bigGroups * maxPer
        return flat < bigTiles ? flat / maxPer : bigGroups + (flat - bigTiles) / (maxPer - 1)
    }
}

/// First index in ascending `sorted` whose element is `> value`.
func upperBound(_ sorted: [Int], _ value: Int) -> Int {
    var (lo, hi) = (0, sorted.count)
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] <= value { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
