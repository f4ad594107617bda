import AttentionPlan
import AttentionSpec
import KernelIR
import KernelLowering

/// Advice for a device whose local memory is too small for a spec's tiling.
extension OpenCLKernelSource {
    /// A smaller tiling (halving the longest axis of the larger tile, step by step) whose
    /// attention work-group fits in `bytes` of local memory; nil if even one query row does not.
    public func tiling(fittingLocalMemory bytes: Int) -> Tiling? {
        let p = spec.problem
        var limits = device
        limits.sharedMemoryBytes = bytes
        // The smallest work-group footprint any strategy reaches for these tiles.
        func footprint(_ query: [Int], _ key: [Int]) -> Int {
            var candidate = spec
            candidate.tiling = Tiling(queryTile: query, keyTile: key)
            let facts = KernelFacts(
                headDim: p.headDim, valueDim: p.valueDim, maxQueryRows: query.reduce(1, *),
                panelKeys: max(key.reduce(1, *), KernelProgram.panelKeys(candidate)))
            return KernelStrategy.candidates(for: limits, facts: facts).map { $0.sharedMemoryBytes(facts) }.min() ?? Int.max
        }
        func halved(_ box: [Int]) -> [Int] {
            guard let axis = box.indices.max(by: { box[$0] < box[$1] }) else { return box }
            var copy = box
            copy[axis] = (copy[axis] + 1) / 2
            return copy
        }
        var query = zip(spec.tiling.queryTile, p.queryShape).map { min($0, $1) }
        var key = zip(spec.tiling.keyTile, p.keyShape).map { min($0, $1) }
        while footprint(query, key) > bytes {
            // Smaller key tiles help only while the panel is wider than its 64-key minimum.
            let keyHelps = footprint(query, halved(key)) < footprint(query, key)
            if keyHelps && key.reduce(1, *) >= query.reduce(1, *) { key = halved(key) }
            else if query.reduce(1, *) > 1 { query = halved(query) }
            else if keyHelps { key = halved(key) }
            else { return nil }
        }
        return Tiling(queryTile: query, keyTile: key)
    }

    /// This source when its work-groups fit `bytes` of local memory; otherwise the same spec with
    /// the strategy chosen for that much memory, or, when no strategy fits its tiles, emitted with
    /// `tiling(fittingLocalMemory:)` (the tiling changes the work split, not the result). When
    /// nothing fits, this source unchanged: the caller reports it.
    public func fitted(toLocalMemory bytes: Int) -> OpenCLKernelSource {
        var limits = device
        limits.sharedMemoryBytes = bytes
        func fits(_ source: OpenCLKernelSource) -> Bool { !source.launches.contains { $0.localMemoryBytes > bytes } }
        guard !fits(self) else { return self }
        func emitted(_ spec: AttentionSpec) -> OpenCLKernelSource? {
            guard (try? spec.validate()) != nil, let plan = try? TilePlan(spec),
                  let source = try? OpenCLKernelSource(program: KernelProgram(spec: spec), plan: plan, device: limits), fits(source)
            else { return nil }
            return source
        }
        if let same = emitted(spec) { return same }
        guard let tiling = tiling(fittingLocalMemory: bytes) else { return self }
        var smaller = spec
        smaller.tiling = tiling
        return emitted(smaller) ?? self
    }
}
