import AttentionPlan
import KernelIR

/// Worst-case loop iterations of one invocation of the lowered kernels over the real plan: each
/// loop contributes its iterations plus one for the final header test, which bounds the
/// back-edges a driver counts (lavapipe stops an invocation after 65,535 in total). Loops the
/// lowering expands (the micro-tile loops always, the tile loops when the strategy is
/// `unrolled`) count nothing. Mirrors `AttentionKernelLowering` loop by loop.
public struct LoopEstimate: Sendable {
    public let plan: TilePlan
    public let partition: WorkPartition
    public let strategy: KernelStrategy
    public let facts: KernelFacts

    public init(plan: TilePlan, strategy: KernelStrategy, facts: KernelFacts) {
        self.plan = plan
        self.partition = WorkPartition(plan: plan)
        self.strategy = strategy
        self.facts = facts
    }

    private func steps(_ n: Int) -> Int { (n + strategy.workgroupSize - 1) / strategy.workgroupSize }
    /// A tile loop of `n` iterations: nothing when expanded (see `AttentionKernelLowering.tileLoop`).
    private func tileLoop(_ n: Int, expandUpTo: Int = AttentionKernelLowering.smallExpansion) -> Int {
        strategy.unrolled || n <= expandUpTo ? 0 : n + 1
    }

    private func loadLoop(_ n: Int) -> Int { tileLoop(n, expandUpTo: AttentionKernelLowering.loadExpansion) }

    /// Reading the row's shares back from shared memory (shuffles run no loop).
    private var rowReduction: Int {
        strategy.reduction == .subgroupShuffle ? 0 : strategy.rowsPerThread * tileLoop(strategy.keyThreads)
    }

    /// The row-sum reduction before a store, and the Q load (cooperative matrices: and clearing O).
    private var segmentLoops: Int {
        if let layout { return tileLoop(steps(strategy.tileRows * layout.headPad)) + tileLoop(steps(strategy.tileRows * layout.outputStride)) + rowReduction }
        return tileLoop(steps(strategy.tileRows * facts.headDim)) + rowReduction
    }

    private var layout: CooperativeMatrixLayout? { CooperativeMatrixLayout(strategy, facts) }

    /// A subgroup's loop over `count` fragments (always a real loop), each running `steps`
    /// products and a load or clear and a store (emulated: each a loop over the lane's elements).
    private func fragmentLoop(_ count: Int, steps: Int) -> Int {
        let layout = layout!
        let mine = (count + layout.matrix.subgroups - 1) / layout.matrix.subgroups
        let fragments = CooperativeMatrixFragments(layout.matrix, unrolled: strategy.unrolled)
        return mine + 1 + mine * (tileLoop(steps) + (steps + 2) * fragments.operationLoopIterations)
    }

    /// One block of keys: K chunks with their loads and products, the softmax's max reduction,
    /// the V parts with their loads and products.
    private var blockLoops: Int {
        let s = strategy
        if let layout {
            let k = layout.matrix.k
            return loadLoop(steps(s.blockKeys * layout.headPad)) + fragmentLoop(layout.scoreFragments, steps: layout.headPad / k)
                + rowReduction
                + loadLoop(steps(s.blockKeys * layout.valuePad)) + fragmentLoop(layout.outputFragments, steps: s.blockKeys / k)
        }
        let chunks = facts.headDim / s.headChunk, parts = s.blockKeys / s.valueKeys
        let kSteps = steps(s.blockKeys * s.headChunk), vSteps = steps(s.valueKeys * facts.valueDim)
        return tileLoop(chunks, expandUpTo: AttentionKernelLowering.passExpansion(loadSteps: kSteps)) + chunks * (loadLoop(kSteps) + tileLoop(s.headChunk))
            + rowReduction
            + tileLoop(parts, expandUpTo: AttentionKernelLowering.passExpansion(loadSteps: vSteps)) + parts * (loadLoop(vSteps) + tileLoop(s.valueKeys))
    }

    /// The attention kernel: the largest count over its work-groups.
    public func attention(flash: Bool) -> Int {
        if flash {
            return (0..<plan.queryTiles.count).map { segment(visits: plan.visits(forQueryTile: $0)[...]) }.max() ?? 0
        }
        return (0..<partition.workgroupCount).map { group in
            let segments = partition.segments(ofWorkgroup: group)
            return segments.count + 1 + segments.reduce(0) { total, s in
                total + segment(visits: plan.visits(forQueryTile: s.queryTile)[s.visits])
            }
        }.max() ?? 0
    }

    /// The merge kernel: its element loop, with the slot loop of the output tile with the most parts.
    public var merge: Int {
        guard partition.needsMerge else { return 0 }
        let parts = (0..<partition.outputTileCount).map(partition.partCount(ofOutputTile:)).max() ?? 0
        let elements = steps(facts.maxQueryRows * facts.valueDim)
        return tileLoop(elements) + elements * (parts + 1)
    }

    /// One segment: the panel loop; per panel the grouping loop, the token-gather loop over its
    /// visits and the block loop over its keys.
    private func segment(visits: ArraySlice<KeyTileVisit>) -> Int {
        let panels = KeyPanels.group(visits, capacity: facts.panelKeys) { plan.keyTiles.tokenCount(of: visits[$0].keyTile) }
        return segmentLoops + panels.count + 1 + panels.reduce(0) { total, panel in
            let blocks = (panel.keys + strategy.blockKeys - 1) / strategy.blockKeys
            return total + (panel.visits.count + 1) + (panel.visits.count + 1) + (blocks + 1) + blocks * blockLoops
        }
    }
}
