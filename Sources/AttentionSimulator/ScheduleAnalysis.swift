import AttentionPlan
import AttentionSpec

/// Load balance of a schedule on a machine: per-work-group work, merge cost, waves, and the
/// simulated time from the cost model.
public struct ScheduleAnalysis: Sendable, Codable, Hashable {
    public var kind: String
    public var workgroups: Int
    public var computeUnits: Int
    /// Work tiles (visited key tiles) per work-group.
    public var minWorkTiles: Int
    public var maxWorkTiles: Int
    public var meanWorkTiles: Double
    /// Partial results written for a merge (0 for flash).
    public var partials: Int
    /// Output tiles whose result is merged from more than one partial.
    public var mergedOutputTiles: Int
    /// `ceil(workgroups / computeUnits)`.
    public var waves: Int
    /// Useful work ÷ (waves × compute units × slowest work-group's work), in simulated seconds.
    public var waveEfficiency: Double
    /// Simulated seconds: the work-groups list-scheduled onto the compute units, then the merge.
    public var simulatedSeconds: Double
    public var mergeSeconds: Double
    /// Simulated seconds of each work-group, for load charts (at most `loadSampleLimit` entries,
    /// evenly sampled when there are more work-groups).
    public var workgroupSeconds: [Double]

    public static let loadSampleLimit = 4096

    public init(partition: WorkPartition, machine: MachineModel) {
        let plan = partition.plan
        let cost = CostModel(problem: plan.spec.problem)
        // Per query tile and key tile, the tile sizes the cost depends on.
        let querySizes = (0..<plan.queryTiles.count).map(plan.queryTiles.tokenCount(of:))
        // keyPrefix[q][n]: key tokens in the first n visits of query tile q.
        let keyPrefix = (0..<plan.queryTiles.count).map { q in
            plan.visits(forQueryTile: q).reduce(into: [0]) { $0.append($0.last! + plan.keyTiles.tokenCount(of: $1.keyTile)) }
        }
        var seconds: [Double] = []
        var tiles: [Int] = []
        var partials = 0
        seconds.reserveCapacity(partition.workgroupCount)
        for w in 0..<partition.workgroupCount {
            var flops = 0.0
            var bytes = 0.0
            var workTiles = 0
            for segment in partition.segments(ofWorkgroup: w) {
                let queries = querySizes[segment.queryTile]
                let prefix = keyPrefix[segment.queryTile]
                let keyCounts = prefix[segment.visits.upperBound] - prefix[segment.visits.lowerBound]
                flops += Double(queries * keyCounts) * cost.flopsPerPair
                bytes += cost.keyTileBytes(keys: keyCounts) + cost.queryTileBytes(queries: queries) + cost.resultBytes(queries: queries)
                workTiles += segment.visits.count
                if segment.partCount > 1 { partials += 1 }
            }
            seconds.append(cost.seconds(flops: flops, bytes: bytes, on: machine))
            tiles.append(workTiles)
        }
        var merged = 0
        var mergeBytes = 0.0
        if partition.needsMerge {
            for tile in 0..<partition.outputTileCount {
                let parts = partition.partCount(ofOutputTile: tile)
                let queries = querySizes[partition.outputTile(tile).queryTile]
                if parts > 1 { merged += 1 }
                // The merge reads every partial and writes the final output once.
                if parts != 1 { mergeBytes += Double(parts + 1) * cost.resultBytes(queries: queries) }
            }
        }
        kind = plan.spec.schedule.kind
        workgroups = partition.workgroupCount
        computeUnits = machine.computeUnits
        minWorkTiles = tiles.min() ?? 0
        maxWorkTiles = tiles.max() ?? 0
        meanWorkTiles = tiles.isEmpty ? 0 : Double(tiles.reduce(0, +)) / Double(tiles.count)
        self.partials = partials
        mergedOutputTiles = merged
        waves = (workgroups + machine.computeUnits - 1) / machine.computeUnits
        let slowest = seconds.max() ?? 0
        waveEfficiency = slowest > 0 ? seconds.reduce(0, +) / (Double(waves * machine.computeUnits) * slowest) : 1
        mergeSeconds = mergeBytes / machine.bandwidth
        simulatedSeconds = Self.makespan(seconds, units: machine.computeUnits) + mergeSeconds
        let step = max(1, (seconds.count + Self.loadSampleLimit - 1) / Self.loadSampleLimit)
        workgroupSeconds = stride(from: 0, to: seconds.count, by: step).map { seconds[$0] }
    }

    /// Work-groups started in order on whichever compute unit frees first (how GPUs dispatch).
    static func makespan(_ durations: [Double], units: Int) -> Double {
        guard durations.count > units else { return durations.max() ?? 0 }
        var heap = MinHeap(Array(repeating: 0.0, count: units))
        for duration in durations { heap.replaceMin(with: heap.min + duration) }
        return heap.max
    }
}

/// A binary min-heap of finish times.
struct MinHeap {
    private var items: [Double]

    init(_ items: [Double]) { self.items = items.sorted() }

    var min: Double { items[0] }
    var max: Double { items.max() ?? 0 }

    mutating func replaceMin(with value: Double) {
        items[0] = value
        var i = 0
        while true {
            let (l, r) = (2 * i + 1, 2 * i + 2)
            var smallest = i
            if l < items.count && items[l] < items[smallest] { smallest = l }
            if r < items.count && items[r] < items[smallest] { smallest = r }
            if smallest == i { return }
            items.swapAt(i, smallest)
            i = smallest
        }
    }
}
