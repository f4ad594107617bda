import AttentionPlan
import AttentionSpec
import AttentionTensors
import GLSLEmitter
import KernelIR
import SPIRVCompiler
import VulkanRuntime

/// Generated compute shaders on a Vulkan device behind the backend seam: the spec's GLSL is
/// compiled in-process by glslang, the pipelines come from the context's caches, and the
/// attention (and merge) dispatches run in one submission.
public struct VulkanBackend: AttentionBackend {
    public let name = "vulkan"
    public var device: String { context.device.description }
    /// The device's context; its `cacheStatistics` count pipeline creations and cache hits.
    public let context: VulkanContext

    /// Opens `device` (default: the preferred one — a GPU when there is one, otherwise lavapipe).
    public init(device: VulkanDeviceQuery = .preferred, pipelineCache: VulkanPipelineCacheLocation = .userDefault) throws(AttentionError) {
        do {
            context = try VulkanContext(device, pipelineCache: pipelineCache)
        } catch {
            throw .backendUnavailable(name: "vulkan", reason: error.description)
        }
    }

    public init(context: VulkanContext) {
        self.context = context
    }

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let run = try prepare(inputs)
        _ = try run.dispatch()
        return try run.result()
    }

    /// Emits, compiles and uploads a run without dispatching it (benchmarks dispatch it repeatedly).
    public func prepare(_ inputs: AttentionInputs) throws(AttentionError) -> VulkanPreparedRun {
        let spec = inputs.spec
        let device = context.device
        let source: GLSLKernelSource
        do {
            let options = GLSLOptions(workgroupSize: 64, sharedMemoryBytes: device.maxComputeSharedMemorySize)
            // lavapipe silently stops an invocation after its loop cap: tile loops are unrolled only
            // when needed to stay under it, and a configuration over it anyway is refused.
            source = try GLSLKernelSource.forLoopCap(
                device.loopIterationLimit, program: KernelProgram(spec: spec), plan: TilePlan(spec), options: options)
        } catch {
            throw .invalidSpec(error)
        }
        do {
            return try VulkanPreparedRun(context: context, source: source, inputs: inputs)
        } catch let error as VulkanError {
            throw .backendFailed(name: name, reason: error.description)
        } catch let error as SPIRVCompileError {
            throw .backendFailed(name: name, reason: error.description)
        } catch {
            throw .backendFailed(name: name, reason: "\(error)")
        }
    }
}
