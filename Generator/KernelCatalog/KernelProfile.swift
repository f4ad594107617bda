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

    /// The cooperative-matrix profile of float16 specs: an NVIDIA GPU's 48 KiB of shared memory,
    /// subgroups of 32 and 16×16×16 float16 fragments, in `form`.
    public static func cooperative(_ form: CooperativeMatrixStrategy.Form) -> GLSLOptions {
        GLSLOptions(
            maxWorkgroupSize: maxWorkgroupSize, sharedMemoryBytes: openCLLocalMemoryBytes, unrollTileLoops: false, subgroupSize: 32,
            cooperativeMatrix: CooperativeMatrixSupport(
                form: form, shapes: [CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: .float16, float32Accumulator: true)], subgroupSize: 32))
    }

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
        /// Float16 specs under `cooperative(.nv)` (with SPIR-V from the in-process glslang 12) and
        /// `cooperative(.khr)` (GLSL only: it needs glslang 13), where the picker uses them.
        public let cooperative: [Cooperative]
    }

    public struct Cooperative {
        public let form: CooperativeMatrixStrategy.Form
        public let glsl: GLSLKernelSource
        public let spirv: [[UInt32]]?
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
        var cooperativeSources: [GLSLKernelSource] = []
        do {
            let plan = try TilePlan(spec)
            let program = KernelProgram(spec: spec)
            opencl = try OpenCLKernelSource(program: program, plan: plan, device: openCLDevice)
                .fitted(toLocalMemory: openCLLocalMemoryBytes)
            glsl = try GLSLKernelSource(program: program, plan: plan, options: Self.glsl)
            if spec.problem.dtype == .float16 {
                cooperativeSources = try [CooperativeMatrixStrategy.Form.nv, .khr].map { form throws(SpecError) in
                    try GLSLKernelSource(program: program, plan: plan, options: Self.cooperative(form))
                }.filter { $0.configuration.strategy.matrix != nil }
            }
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
        var cooperative: [Cooperative] = []
        for source in cooperativeSources {
            let form = source.configuration.strategy.matrix!.form
            cooperative.append(Cooperative(form: form, glsl: source, spirv: form == .nv ? try compiled(source.shaders) : nil))
        }
        return Kernels(opencl: opencl, glsl: glsl, spirv: try compiled(glsl.shaders), backward: backward, cooperative: cooperative)
    }
}
