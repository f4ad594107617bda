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
    /// The tilings pass 1 tries: the spec's own first, then the bounded candidate set.
    public let tilings: [Tiling]

    /// `tilings` replaces the candidate set (the spec's tiling is always tried too).
    public init(spec: AttentionSpec, machine: MachineModel, strides: Bool = false, tilings: [Tiling]? = nil) {
        self.spec = spec
        self.machine = machine
        self.strides = strides
        var seen = Set<Tiling>()
        self.tilings = ([spec.tiling] + (tilings ?? SweepCandidates.tilings(for: spec))).filter { seen.insert($0).inserted }
    }

    /// The neighborhood axes whose strides pass 2 varies; `nil` when there is no pass 2.
    private var strideAxes: [NeighborhoodAxis]? {
        guard strides, case .neighborhood(let axes) = spec.mask else { return nil }
        return axes
    }

    /// Runs the sweep; `progress(done, total)` is called after every batch of candidates (one
    /// per core), and last with `done == total`.
    public func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> SweepOutcome {
        let specStride = strideAxes?.map(\.stride)
        let combos = strideAxes.map { axes in
            SweepCandidates.strideCombinations(
                SweepCandidates.strideCandidates(for: axes, tiling: spec.tiling), windows: axes.map(\.window),
                limit: max(1, Self.maxSimulations - tilings.count)
            ).filter { $0 != specStride }
        } ?? []
        let strideTilings = combos.isEmpty ? 0 : min(tilings.count, max(1, (Self.maxSimulations - tilings.count) / combos.count))
        let total = tilings.count + strideTilings * combos.count
        var entries: [SweepEntry] = []
        let first = ParallelSimulations.run(tilings.map { (spec.tiled(query: $0.queryTile, key: $0.keyTile), true) }, machine: machine) {
            progress($0, total)
        }
        entries += first
        if let axes = strideAxes, strideTilings > 0 {
            // Invalid tilings rank last, so that pass 2 has exactly `strideTilings` (progress reaches total).
            var seen = Set<Tiling>()
            let ranked = [spec.tiling] + first.sorted(by: SweepOutcome.faster).map(\.tiling) + tilings
            let chosen = ranked.filter { seen.insert($0).inserted }.prefix(strideTilings)
            let candidates = chosen.flatMap { tiling in
                combos.map { stride in
                    let mask = AttentionMask.neighborhood(axes.indices.map { axis in
                        var a = axes[axis]
                        a.stride = stride[axis]
                        return a
                    })
                    return (spec.masked(mask).tiled(query: tiling.queryTile, key: tiling.keyTile), false)
                }
            }
            entries += ParallelSimulations.run(candidates, machine: machine) { progress(tilings.count + $0, total) }
        }
        return SweepOutcome(spec: spec, machine: machine, entries: entries)
    }
}
