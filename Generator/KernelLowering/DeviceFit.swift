import AttentionSpec
import KernelIR

/// The one rule for fitting a spec's tiling to a device: when no kernel strategy's work-group
/// fits the device's shared memory with the spec's tiles, the largest smaller tiling that does
/// (the tiling changes how the work is split, never the result). Both GPU backends and the
/// OpenCL advice in error messages use it.
public enum DeviceFit {
    /// The tiling itself when some strategy fits it, else one halving the longest axis of the
    /// larger tile step by step (key tiles only while that shrinks the footprint); nil when even
    /// one query row does not fit.
    public static func tiling(for spec: AttentionSpec, device: DeviceLimits) -> Tiling? {
        let p = spec.problem
        func footprint(_ query: [Int], _ key: [Int]) -> Int {
            var candidate = spec
            candidate.tiling = Tiling(queryTile: query, keyTile: key)
            let facts = KernelFacts(
                headDim: p.headDim, valueDim: p.valueDim, maxQueryRows: query.reduce(1, *),
                panelKeys: max(key.reduce(1, *), KernelProgram.panelKeys(candidate)), maxKeyRows: key.reduce(1, *),
                paged: p.pages != nil)
            return KernelStrategy.candidates(for: device, facts: facts).map { $0.sharedMemoryBytes(facts) }.min() ?? Int.max
        }
        func halved(_ box: [Int]) -> [Int] {
            guard let axis = box.indices.max(by: { box[$0] < box[$1] }) else { return box }
            var copy = box
            copy[axis] = (copy[axis] + 1) / 2
            return copy
        }
        var query = zip(spec.tiling.queryTile, p.queryShape).map { min($0, $1) }
        var key = zip(spec.tiling.keyTile, p.keyShape).map { min($0, $1) }
        let bytes = device.sharedMemoryBytes
        while footprint(query, key) > bytes {
            // Smaller key tiles help only while the panel is wider than its minimum.
            let keyHelps = footprint(query, halved(key)) < footprint(query, key)
            if keyHelps && key.reduce(1, *) >= query.reduce(1, *) { key = halved(key) }
            else if query.reduce(1, *) > 1 { query = halved(query) }
            else if keyHelps { key = halved(key) }
            else { return nil }
        }
        return Tiling(queryTile: query, keyTile: key)
    }
}
