import AttentionPlan
import AttentionSpec
import GLSLEmitter
import KernelIR
import KernelLowering
import OpenCLEmitter
import SPIRVCompiler

/// The device assumptions catalogue and package kernels are generated for, so that one file
/// serves any GPU that meets them: work-groups of up to 256 invocations; for Vulkan 32 KiB of shared memory (what
/// nearly every GPU offers; Vulkan guarantees 16 KiB) with tile loops kept as real loops; for
/// OpenCL 48 KiB of local memory (NVIDIA's limit; AMD and Intel offer 64 KiB), because its K/V
/// panels hold at least 64 keys. A runtime checks a device against the manifest before it uses
/// a prebuilt kernel.
public enum KernelProfile {
    public static let maxWorkgroupSize = 256
    public static let sharedMemoryBytes = 32768
    public static let openCLLocalMemoryBytes = 49152
    public static let openCLDevice = DeviceLimits(sharedMemoryBytes: openCLLocalMemoryBytes, maxWorkgroupSize: maxWorkgroupSize)
    public static let glsl = GLSLOptions(maxWorkgroupSize: maxWorkgroupSize, sharedMemoryBytes: sharedMemoryBytes, unrollTileLoops: false)

    /// One spec's kernels for the profile: the OpenCL program (its tiling shrunk to fit
    /// `openCLLocalMemoryBytes` where one fits; the manifest's spec records the tiling used), the
    /// GLSL shaders and each shader's SPIR-V, in the shaders' order, and the same for the backward
    /// pass (which needs no shared memory, so its tiling is the spec's). `name` and `file` label errors.
    public struct Kernels {
        public let opencl: OpenCLKernelSource
        public let glsl: GLSLKernelSource
        public let spirv: [[UInt32]]
        /// The backward pass: its OpenCL program, its shaders and their SPIR-V; nil for a paged
        /// spec (a paged KV cache is for inference).
        public let backward: Backward?
    }

    public struct Backward {
        public let opencl: OpenCLGradientSource
        public let glsl: GLSLGradientSource
        public let spirv: [[UInt32]]
    }

    public static func kernels(for spec: AttentionSpec, name: String, file: String) throws(KernelCatalog.Failure) -> Kernels {
        let opencl: OpenCLKernelSource
        let glsl: GLSLKernelSource
        var backwardSources: (OpenCLGradientSource, GLSLGradientSource)?
        do {
            let plan = try TilePlan(spec)
            let program = KernelProgram(spec: spec)
            opencl = try OpenCLKernelSource(program: program, plan: plan, device: openCLDevice)
                .fitted(toLocalMemory: openCLLocalMemoryBytes)
            glsl = try GLSLKernelSource(program: program, plan: plan, options: Self.glsl)
            if GradientKernelLowering.supports(spec) {
                backwardSources = (try OpenCLGradientSource(plan: plan), try GLSLGradientSource(plan: plan))
            }
        } catch {
            throw .spec(file: file, error)
        }
        func compiled(_ shaders: [GLSLShader]) throws(KernelCatalog.Failure) -> [[UInt32]] {
            var spirv: [[UInt32]] = []
            for shader in shaders {
                do {
                    spirv.append(try SPIRVCompiler.compile(glsl: shader.source, stage: .compute, name: "\(name).\(shader.name).comp"))
                } catch {
                    throw .compile(file: file, error)
                }
            }
            return spirv
        }
        var backward: Backward?
        if let (opencl, glsl) = backwardSources { backward = Backward(opencl: opencl, glsl: glsl, spirv: try compiled(glsl.shaders)) }
        return Kernels(opencl: opencl, glsl: glsl, spirv: try compiled(glsl.shaders), backward: backward)
    }
}
