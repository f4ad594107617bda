import AttentionPlan
import AttentionSpec
import KernelIR
import KernelLowering

/// Advice for a device whose local memory is too small for a spec's tiling.
extension OpenCLKernelSource {
    /// A tiling whose attention work-group fits in `bytes` of local memory (`DeviceFit`'s rule);
    /// nil if even one query row does not.
    public func tiling(fittingLocalMemory bytes: Int) -> Tiling? {
        var limits = device
        limits.sharedMemoryBytes = bytes
        return DeviceFit.tiling(for: spec, device: limits)
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
