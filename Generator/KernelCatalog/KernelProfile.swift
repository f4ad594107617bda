import GLSLEmitter

/// The device assumptions catalogue and package kernels are generated for, so that one file
/// serves any GPU that meets them: 64-wide work-groups, 32 KiB of shared/local memory (what
/// nearly every GPU offers; Vulkan guarantees 16 KiB), tile loops kept as real loops.
/// A runtime checks a device against the manifest before it uses a prebuilt kernel.
public enum KernelProfile {
    public static let workgroupSize = 64
    public static let glsl = GLSLOptions(workgroupSize: workgroupSize, sharedMemoryBytes: 32768, unrollTileLoops: false)
}
