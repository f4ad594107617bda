import AttentionPlan
import AttentionSpec

/// Tries candidate tile shapes (and, for neighborhood masks when asked, strides) for a spec,
/// simulates each on a machine, and ranks them by simulated time.
///
/// Pass 1 simulates every candidate tiling under the spec's own mask. With `strides`, pass 2
/// tries stride combinations on the fastest tilings of pass 1 (the spec's own tiling always
/// among them), as many as fit in `maxSimulations`.
public struct TilingSweep: Sendable {
    public static let maxSimulations = 400
    public let spec: AttentionSpec
    public let machine: MachineModel
    public let strides: Bool

    public init(spec: AttentionSpec, machine: MachineModel, strides: Bool = false) {
        self.spec = spec
        self.machine = machine
        self.strides = strides
    }

    /// The neighborhood axes whose strides pass 2 varies; `nil` when there is no pass 2.
    private var strideAxes: [NeighborhoodAxis]? {
        guard strides, case .neighborhood(let axes) = spec.mask else { return nil }
        return axes
    }

    /// Runs the sweep; `progress(done, total)` is called after every candidate, and last with
    /// `done == total`.
    public func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> SweepOutcome {
        let tilings = SweepCandidates.tilings(for: spec)
        let specStride = strideAxes?.map(\.stride)
        let combos = strideAxes.map { axes in
            SweepCandidates.strideCombinations(
                SweepCandidates.strideCandidates(for: axes, tiling: spec.tiling), windows: axes.map(\.window),
                limit: Self.maxSimulations - tilings.count
            ).filter { $0 != specStride }
        } ?? []
        let strideTilings = combos.isEmpty ? 0 : min(tilings.count, max(1, (Self.maxSimulations - tilings.count) / combos.count))
        let total = tilings.count + strideTilings * combos.count
        var done = 0
        var entries: [SweepEntry] = []
        for tiling in tilings {
            if let entry = simulate(spec.tiled(query: tiling.queryTile, key: tiling.keyTile), keepsMask: true) { entries.append(entry) }
            done += 1
            progress(done, total)
        }
        guard let axes = strideAxes, strideTilings > 0 else { return SweepOutcome(spec: spec, machine: machine, entries: entries) }
        let ranked = entries.sorted(by: SweepOutcome.faster).map(\.tiling)
        let chosen = ([spec.tiling] + ranked.filter { $0 != spec.tiling }).prefix(strideTilings)
        for tiling in chosen {
            for stride in combos {
                let mask = AttentionMask.neighborhood(axes.indices.map { axis in
                    var a = axes[axis]
                    a.stride = stride[axis]
                    return a
                })
                let candidate = spec.masked(mask).tiled(query: tiling.queryTile, key: tiling.keyTile)
                if let entry = simulate(candidate, keepsMask: false) { entries.append(entry) }
                done += 1
                progress(done, total)
            }
        }
        return SweepOutcome(spec: spec, machine: machine, entries: entries)
    }

    /// Simulates one candidate; invalid candidates are skipped (they are not user input).
    private func simulate(_ candidate: AttentionSpec, keepsMask: Bool) -> SweepEntry? {
        guard let plan = try? TilePlan(candidate) else { return nil }
        let report = SimulationReport(plan: plan, summary: plan.summary(), machine: machine)
        var stride: [Int]?
        if case .neighborhood(let axes) = candidate.mask { stride = axes.map(\.stride) }
        return SweepEntry(
            queryTile: candidate.tiling.queryTile, keyTile: candidate.tiling.keyTile, stride: stride,
            simulatedSeconds: report.schedule.simulatedSeconds, flopSpeedupBound: report.flopSpeedupBound,
            tileSpeedupBound: report.tileSpeedupBound, maskFree: report.maskFree, visitedTilePairs: report.visitedTilePairs,
            partialTilePairs: report.partialTilePairs, keepsMask: keepsMask)
    }
}
