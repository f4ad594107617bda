import AttentionPlan
import AttentionSpec
import KernelIR

/// Advice for a device whose local memory is too small for a spec's tiling.
extension OpenCLKernelSource {
    /// A smaller tiling (halving the longest axis of the larger tile, step by step) whose
    /// attention work-group fits in `bytes` of local memory; nil if even one query row does not.
    public func tiling(fittingLocalMemory bytes: Int) -> Tiling? {
        let p = spec.problem
        func footprint(_ query: [Int], _ key: [Int]) -> Int {
            var candidate = spec
            candidate.tiling = Tiling(queryTile: query, keyTile: key)
            return OpenCLConfiguration.localMemoryBytes(
                queryRows: query.reduce(1, *), panelKeys: KernelProgram.panelKeys(candidate), headDim: p.headDim, valueDim: p.valueDim)
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

    /// This source when its work-groups fit `bytes` of local memory; otherwise the same spec
    /// emitted with `tiling(fittingLocalMemory:)` (the tiling changes the work split, not the
    /// result). When no valid tiling fits, this source unchanged: the caller reports it.
    public func fitted(toLocalMemory bytes: Int) -> OpenCLKernelSource {
        guard launches.contains(where: { $0.localMemoryBytes > bytes }), let tiling = tiling(fittingLocalMemory: bytes) else { return self }
        var smaller = spec
        smaller.tiling = tiling
        guard (try? smaller.validate()) != nil,
              let fitted = try? OpenCLKernelSource(
                  program: KernelProgram(spec: smaller), plan: TilePlan(smaller), workgroupSize: configuration.workgroupSize),
              !fitted.launches.contains(where: { $0.localMemoryBytes > bytes })
        else { return self }
        return fitted
    }
}
