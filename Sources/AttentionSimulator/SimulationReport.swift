import AttentionPlan
import AttentionSpec

/// Everything `attngen simulate` reports about one spec on one machine. Counts are per single
/// (batch, head) unless named `total…`. This is the JSON output's schema.
public struct SimulationReport: Sendable, Codable, Hashable {
    public var spec: String
    public var machine: MachineModel
    public var queryTiles: Int
    public var keyTiles: Int
    public var visitedTilePairs: Int
    public var fullTilePairs: Int
    public var partialTilePairs: Int
    public var allowedPairs: Int
    public var visitedElementPairs: Int
    public var denseElementPairs: Int
    public var totalDenseFlops: Double
    public var totalVisitedFlops: Double
    public var totalUsefulFlops: Double
    public var flopSpeedupBound: Double
    public var tileSpeedupBound: Double
    /// True when no visited tile needs a mask.
    public var maskFree: Bool
    public var schedule: ScheduleAnalysis
    public var backward: BackwardAnalysis

    /// Plans `spec` and simulates its schedule on `machine`.
    public init(spec: AttentionSpec, machine: MachineModel) throws(SpecError) {
        let plan = try TilePlan(spec)
        self.init(plan: plan, summary: plan.summary(), machine: machine)
    }

    public init(plan: TilePlan, summary s: PlanSummary, machine: MachineModel) {
        let p = plan.spec.problem
        let heads = Double(p.batch * p.heads)
        let flops = CostModel(problem: p).flopsPerPair
        spec = plan.spec.summary
        self.machine = machine
        queryTiles = s.queryTiles
        keyTiles = s.keyTiles
        visitedTilePairs = s.visitedTilePairs
        fullTilePairs = s.fullTilePairs
        partialTilePairs = s.partialTilePairs
        allowedPairs = s.allowedPairs
        visitedElementPairs = s.visitedElementPairs
        denseElementPairs = s.denseElementPairs
        totalDenseFlops = heads * Double(s.denseElementPairs) * flops
        totalVisitedFlops = heads * Double(s.visitedElementPairs) * flops
        totalUsefulFlops = heads * Double(s.allowedPairs) * flops
        flopSpeedupBound = s.flopSpeedupBound
        tileSpeedupBound = s.tileSpeedupBound
        maskFree = s.isMaskFree
        schedule = ScheduleAnalysis(partition: WorkPartition(plan: plan), machine: machine)
        backward = BackwardAnalysis(plan: plan, summary: s)
    }
}

/// The backward pass of the same plan (FlashAttention-2's): it visits the same tile pairs,
/// transposed (key-tile-major for dK and dV), so its speedup bounds are the forward's; each
/// pair costs `2·(3·headDim + 2·valueDim)` (S, dP, dV, dK, dQ), 2.5× the forward's at equal dims,
/// plus `2·(headDim + valueDim)` more when dQ runs in a second, query-tile-major pass.
public struct BackwardAnalysis: Sendable, Codable, Hashable {
    public var totalDenseFlops: Double
    public var totalVisitedFlops: Double
    public var totalUsefulFlops: Double
    /// Visited FLOPs when dQ is a second pass (S and dP computed again).
    public var totalVisitedFlopsTwoPass: Double
    public var flopSpeedupBound: Double
    public var tileSpeedupBound: Double
    public var transposed: TransposedPlanSummary

    public init(plan: TilePlan, summary s: PlanSummary) {
        let p = plan.spec.problem
        let heads = Double(p.batch * p.heads)
        let perPair = Double(2 * (3 * p.headDim + 2 * p.valueDim))
        let recompute = Double(2 * (p.headDim + p.valueDim))
        totalDenseFlops = heads * Double(s.denseElementPairs) * perPair
        totalVisitedFlops = heads * Double(s.visitedElementPairs) * perPair
        totalUsefulFlops = heads * Double(s.allowedPairs) * perPair
        totalVisitedFlopsTwoPass = heads * Double(s.visitedElementPairs) * (perPair + recompute)
        flopSpeedupBound = s.flopSpeedupBound
        tileSpeedupBound = s.tileSpeedupBound
        transposed = plan.transposedSummary()
    }
}
