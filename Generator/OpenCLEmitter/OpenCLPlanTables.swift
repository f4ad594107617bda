import AttentionPlan
import AttentionSpec

/// The plan as the flat integer arrays the kernels read, built on the host from the tile plan
/// and the work partition. Token lists are CSR-style (offsets + indices) because 2-D/3-D boxes
/// and dilation groups are not contiguous runs of the flattened grid.
public struct OpenCLPlanTables: Hashable, Sendable {
    /// `queryTileTokens[queryTileOffsets[t] ..< queryTileOffsets[t + 1]]`: flat tokens of query tile `t`, row-major in the box.
    public let queryTileOffsets: [Int32]
    public let queryTileTokens: [Int32]
    public let keyTileOffsets: [Int32]
    public let keyTileTokens: [Int32]
    /// Visits of query tile `t` are `visitOffsets[t] ..< visitOffsets[t + 1]` in the plan's order;
    /// visit `v` is the pair `visits[2v]` (key tile), `visits[2v + 1]` (1 = FULL, 0 = PARTIAL).
    public let visitOffsets: [Int32]
    public let visits: [Int32]
    /// Split-KV and lean: segments of work-group `g` are `segmentOffsets[g] ..< segmentOffsets[g + 1]`;
    /// segment `s` is six ints at `6s`: batch, head, query tile, first visit, end visit (relative
    /// to the query tile's visits), partial slot. Empty for flash.
    public let segmentOffsets: [Int32]
    public let segments: [Int32]
    /// Split-KV and lean: partial slots of output tile `o` are `slotOffsets[o] ..< slotOffsets[o + 1]`. Empty for flash.
    public let slotOffsets: [Int32]
    /// Block-sparse masks: `[query block · key blocks + key block]` = 1 when the pair is listed;
    /// varlen masks: `[3 · query]`, `[3 · query + 1]` = the first and last packed key it sees,
    /// `[3 · query + 2]` = the packed key on its diagonal (where ALiBi measures from).
    /// Empty otherwise.
    public let maskTable: [Int32]
    /// A paged cache: `[batch · keyTokens + key]` = the pool row of that logical key
    /// (`AttentionSpec.keySlots`). Empty otherwise.
    public let keySlots: [Int32]

    public init(plan: TilePlan) {
        let p = plan.spec.problem
        let partition = WorkPartition(plan: plan)
        (queryTileOffsets, queryTileTokens) = Self.csr((0..<plan.queryTiles.count).map(plan.queryTiles.tokens(of:)))
        (keyTileOffsets, keyTileTokens) = Self.csr((0..<plan.keyTiles.count).map(plan.keyTiles.tokens(of:)))
        let perTile = (0..<plan.queryTiles.count).map(plan.visits(forQueryTile:))
        (visitOffsets, visits) = Self.csr(perTile.map { $0.flatMap { [$0.keyTile, $0.tileClass == .full ? 1 : 0] } }, stride: 2)

        if partition.needsMerge {
            var slots: [Int32] = [0]
            for tile in 0..<partition.outputTileCount {
                slots.append(slots.last! + Int32(partition.partCount(ofOutputTile: tile)))
            }
            slotOffsets = slots
            let perGroup = (0..<partition.workgroupCount).map { group in
                partition.segments(ofWorkgroup: group).flatMap { s -> [Int] in
                    let outputTile = (s.batch * p.heads + s.head) * plan.queryTiles.count + s.queryTile
                    return [s.batch, s.head, s.queryTile, s.visits.lowerBound, s.visits.upperBound, Int(slots[outputTile]) + s.part]
                }
            }
            (segmentOffsets, segments) = Self.csr(perGroup, stride: 6)
        } else {
            (segmentOffsets, segments, slotOffsets) = ([], [], [])
        }

        if case .blockSparse(let layout) = plan.spec.mask {
            let queryBlocks = BlockGrid(grid: TokenGrid(p.queryShape), block: layout.queryBlock)
            let keyBlocks = BlockGrid(grid: TokenGrid(p.keyShape), block: layout.keyBlock)
            var table = [Int32](repeating: 0, count: queryBlocks.count * keyBlocks.count)
            for qb in 0..<queryBlocks.count {
                for kb in layout.listedKeyBlocks(ofQueryBlock: qb) { table[qb * keyBlocks.count + kb] = 1 }
            }
            maskTable = table
        } else if case .varlen(let lengths) = plan.spec.mask {
            maskTable = (0..<p.queryTokens).flatMap { query in
                let interval = lengths.keyInterval(query: query)
                return [Int32(interval.first), Int32(interval.last), Int32(lengths.diagonal(query: query))]
            }
        } else {
            maskTable = []
        }
        keySlots = plan.spec.keySlots?.map(Int32.init) ?? []
    }

    /// Offsets (in entries of `stride` ints) and the concatenated rows.
    static func csr(_ rows: [[Int]], stride: Int = 1) -> (offsets: [Int32], values: [Int32]) {
        var offsets: [Int32] = [0]
        var values: [Int32] = []
        for row in rows {
            values += row.map(Int32.init)
            offsets.append(Int32(values.count / stride))
        }
        return (offsets, values)
    }
}

/// The transposed plan as the backward kernels read it: the query tiles visiting each key tile.
public struct GradientPlanTables: Hashable, Sendable {
    /// Visitors of key tile `t` are `visitorOffsets[t] ..< visitorOffsets[t + 1]`; visitor `v` is
    /// the pair `visitors[2v]` (query tile), `visitors[2v + 1]` (1 = FULL, 0 = PARTIAL).
    public let visitorOffsets: [Int32]
    public let visitors: [Int32]
    /// The most visitors of any key tile, and the most visits of any query tile (loop bounds).
    public let maxVisitors: Int
    public let maxVisits: Int

    public init(plan: TilePlan) {
        let perKeyTile = plan.allVisitors()
        (visitorOffsets, visitors) = OpenCLPlanTables.csr(
            perKeyTile.map { $0.flatMap { [$0.queryTile, $0.tileClass == .full ? 1 : 0] } }, stride: 2)
        maxVisitors = perKeyTile.map(\.count).max() ?? 0
        maxVisits = (0..<plan.queryTiles.count).map(plan.visitCount(forQueryTile:)).max() ?? 0
    }
}
