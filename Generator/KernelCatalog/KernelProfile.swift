import AttentionPlan
import AttentionSpec
import GLSLEmitter
import KernelIR
import OpenCLEmitter

/// The device assumptions catalogue and package kernels are generated for, so that one file
/// serves any GPU that meets them: 64-wide work-groups; for Vulkan 32 KiB of shared memory (what
/// nearly every GPU offers; Vulkan guarantees 16 KiB) with tile loops kept as real loops; for
/// OpenCL 48 KiB of local memory (NVIDIA's limit; AMD and Intel offer 64 KiB), because its K/V
/// panels hold at least 64 keys. A runtime checks a device against the manifest before it uses
/// a prebuilt kernel.
public enum KernelProfile {
    public static let workgroupSize = 64
    public static let sharedMemoryBytes = 32768
    public static let openCLLocalMemoryBytes = 49152
    public static let glsl = GLSLOptions(workgroupSize: workgroupSize, sharedMemoryBytes: sharedMemoryBytes, unrollTileLoops: false)

    /// The OpenCL program for the profile: the spec's tiling when its work-groups fit the
    /// profile's local memory, else the largest smaller tiling that does (the same attention;
    /// the manifest's spec records the tiling used). When none fits (a 64-key panel at a large
    /// head dimension), the spec's own tiling, which only devices with more local memory run.
    public static func openCL(_ spec: AttentionSpec) throws(SpecError) -> OpenCLKernelSource {
        let source = try OpenCLKernelSource(program: KernelProgram(spec: spec), plan: TilePlan(spec), workgroupSize: workgroupSize)
        guard source.launches.contains(where: { $0.localMemoryBytes > openCLLocalMemoryBytes }),
              let tiling = source.tiling(fittingLocalMemory: openCLLocalMemoryBytes)
        else { return source }
        var fitted = spec
        fitted.tiling = tiling
        guard (try? fitted.validate()) != nil else { return source }
        return try OpenCLKernelSource(program: KernelProgram(spec: fitted), plan: TilePlan(fitted), workgroupSize: workgroupSize)
    }
}
