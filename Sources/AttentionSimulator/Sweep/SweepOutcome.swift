import AttentionSpec

/// The ranked results of a sweep and the answers drawn from them.
public struct SweepOutcome: Sendable, Codable, Hashable {
    public var spec: String
    public var machine: String
    /// Configurations simulated (invalid candidates are skipped and not counted).
    public var simulated: Int
    /// The spec as given.
    public var baseline: SweepEntry?
    /// Fastest first.
    public var ranked: [SweepEntry]
    /// The fastest tiling that keeps the spec's mask.
    public var fastest: SweepEntry?
    /// The fastest tiling that keeps the spec's mask and needs no mask in any tile.
    public var fastestMaskFree: SweepEntry?
    /// The smallest stride (fewest shared windows first: by product, then per axis) that makes the
    /// spec's tiling mask-free; `nil` when strides were not swept or none does.
    public var smallestMaskFreeStride: [Int]?
    public var recommendation: String

    init(spec: AttentionSpec, machine: MachineModel, entries: [SweepEntry]) {
        self.spec = spec.summary
        self.machine = machine.name
        simulated = entries.count
        ranked = entries.sorted(by: SweepOutcome.faster)
        baseline = ranked.first { $0.keepsMask && $0.tiling == spec.tiling }
        fastest = ranked.first { $0.keepsMask }
        fastestMaskFree = ranked.first { $0.keepsMask && $0.maskFree }
        smallestMaskFreeStride = SweepOutcome.smallestMaskFreeStride(in: ranked, tiling: spec.tiling)
        recommendation = ""
        recommendation = recommendationText()
    }

    /// The smallest mask-free stride this sweep found for `tiling`.
    public static func smallestMaskFreeStride(in entries: [SweepEntry], tiling: Tiling) -> [Int]? {
        entries.filter { $0.tiling == tiling && $0.maskFree }.compactMap(\.stride)
            .min { a, b in
                let (pa, pb) = (a.reduce(1, *), b.reduce(1, *))
                return pa != pb ? pa < pb : a.lexicographicallyPrecedes(b)
            }
    }

    /// The first `k` ranked entries; the answers keep what the whole sweep found.
    public func top(_ k: Int) -> SweepOutcome {
        var copy = self
        copy.ranked = Array(ranked.prefix(max(0, k)))
        return copy
    }

    /// Time first; ties go to mask-free, then to the smaller shapes, so the order is total.
    static func faster(_ a: SweepEntry, _ b: SweepEntry) -> Bool {
        if a.simulatedSeconds != b.simulatedSeconds { return a.simulatedSeconds < b.simulatedSeconds }
        if a.maskFree != b.maskFree { return a.maskFree }
        let key = { (e: SweepEntry) in e.queryTile + [-1] + e.keyTile + [-1] + (e.stride ?? []) }
        return key(a).lexicographicallyPrecedes(key(b))
    }

    private func recommendationText() -> String {
        guard let fastest else { return "no valid tiling was found" }
        var parts = ["use \(fastest.label): \(Units.seconds(fastest.simulatedSeconds))"]
        if let baseline {
            // Within half a percent the spec's tiling is as good: no reason to change it.
            if baseline.tiling == fastest.tiling || baseline.simulatedSeconds <= fastest.simulatedSeconds * 1.005 {
                parts[0] = "keep the spec's tiling (\(baseline.label)): \(Units.seconds(baseline.simulatedSeconds)), as fast as any tried"
            } else {
                parts[0] += ", \(Units.speedup(baseline.simulatedSeconds / fastest.simulatedSeconds)) faster than the spec's tiling (\(Units.seconds(baseline.simulatedSeconds)))"
            }
        }
        if let fastestMaskFree {
            if fastestMaskFree.tiling != fastest.tiling {
                parts.append("fastest mask-free: \(fastestMaskFree.label) (\(Units.seconds(fastestMaskFree.simulatedSeconds)))")
            } else {
                parts.append("it is mask-free")
            }
        } else {
            parts.append("no tiling tried is mask-free for this mask")
        }
        if ranked.contains(where: { !$0.keepsMask }) {
            if let smallestMaskFreeStride {
                parts.append("stride \(shapeText(smallestMaskFreeStride)) is the smallest that makes the spec's tiling mask-free (a different mask)")
            } else {
                parts.append("no stride tried makes the spec's tiling mask-free")
            }
        }
        return parts.joined(separator: "; ")
    }
}
