import AttentionPlan
import AttentionSpec
import AttentionTensors
import GLSLEmitter
import KernelIR
import KernelLowering
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
    /// Packages whose SPIR-V is used instead of generating and compiling, when the spec matches
    /// and the device meets the package's profile.
    public let prebuilt: PrebuiltKernels?
    /// A kernel strategy to use instead of the one chosen for the device (benchmarks and tuning).
    public var strategy: KernelStrategy?
    /// Layouts prepared before, by spec: a repeated spec is not planned, emitted or compiled again.
    public let prepared = PreparedKernelCache<VulkanProgramLayout>()
    /// The backward programs prepared before, by spec.
    public let preparedGradients = PreparedKernelCache<VulkanProgramLayout>()

    /// Opens `device` (default: the preferred one — a GPU when there is one, otherwise lavapipe).
    public init(
        device: VulkanDeviceQuery = .preferred, pipelineCache: VulkanPipelineCacheLocation = .userDefault, prebuilt: PrebuiltKernels? = nil
    ) throws(AttentionError) {
        do {
            context = try VulkanContext(device, pipelineCache: pipelineCache)
        } catch {
            throw .backendUnavailable(name: "vulkan", reason: error.description)
        }
        self.prebuilt = prebuilt
    }

    public init(context: VulkanContext, prebuilt: PrebuiltKernels? = nil) {
        self.context = context
        self.prebuilt = prebuilt
    }

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let run = try prepare(inputs)
        _ = try run.dispatch()
        var result = try run.result()
        result.kernelOrigin = run.origin
        return result
    }

    /// Emits, compiles and uploads a run without dispatching it (benchmarks dispatch it repeatedly).
    /// A prebuilt package for the spec is used when this device can run it.
    public func prepare(_ inputs: AttentionInputs) throws(AttentionError) -> VulkanPreparedRun {
        let (layout, origin) = try layout(for: inputs.spec)
        do {
            return try VulkanPreparedRun(context: context, layout: layout, origin: origin, tensors: inputs.tensors)
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
    }

    /// The layout for `spec`: a prebuilt package's when this device can run it, else generated
    /// and compiled (once per spec and strategy: `prepared`).
    private func layout(for spec: AttentionSpec) throws(AttentionError) -> (VulkanProgramLayout, KernelOrigin) {
        if let package = prebuilt?.package(for: spec), incompatibility(of: package.vulkan) == nil {
            return (package.vulkan, .package(package.name))
        }
        let layout = try prepared.layout(for: .init(spec: spec, strategy: strategy)) { () throws(AttentionError) in
            try generate(spec)
        }
        return (layout, .generated)
    }

    public func kernelChoice(for spec: AttentionSpec) throws(AttentionError) -> KernelChoice {
        let (layout, origin) = try layout(for: spec)
        let device = context.device
        let shuffles = device.shuffleSubgroupSize.map { "subgroups of \($0) with shuffles" } ?? "no subgroup shuffles"
        return KernelChoice(
            backend: name, device: self.device, origin: origin, strategy: layout.strategy, tiling: layout.spec.tiling,
            kernels: layout.shaders.map { .init(name: $0.name, workgroupSize: $0.localSize, sharedMemoryBytes: $0.sharedMemoryBytes) },
            limits: "\(device.maxComputeSharedMemorySize) bytes of shared memory, work-groups up to \(device.maxComputeWorkGroupInvocations), \(shuffles)"
                + (device.loopIterationLimit.map { ", a loop cap of \($0) iterations per invocation" } ?? "")
                + (cooperativeMatrixNote(layout) ?? ""))
    }

    /// Whether the device's cooperative matrices run the spec, and why not where it has them.
    private func cooperativeMatrixNote(_ layout: VulkanProgramLayout) -> String? {
        guard let support = context.device.cooperativeMatrixSupport else { return nil }
        if KernelStrategy(compact: layout.strategy)?.matrix != nil { return ", cooperative matrices (\(support.form.rawValue))" }
        guard let plan = try? TilePlan(layout.spec) else { return nil }
        return KernelStrategy.cooperativeMatrixNote(for: options.device, facts: KernelFacts(plan: plan)).map { "; \($0)" }
    }

    /// Why this device cannot run `layout` as built (nil when it can): shared memory, work-group
    /// size and count, and lavapipe's loop cap.
    public func incompatibility(of layout: VulkanProgramLayout) -> String? {
        let device = context.device
        for shader in layout.shaders {
            if shader.sharedMemoryBytes > device.maxComputeSharedMemorySize {
                return "\(shader.name) needs \(shader.sharedMemoryBytes) bytes of shared memory, the device has \(device.maxComputeSharedMemorySize)"
            }
            if shader.localSize > device.maxComputeWorkGroupInvocations {
                return "\(shader.name) has \(shader.localSize) invocations per work-group, the device allows \(device.maxComputeWorkGroupInvocations)"
            }
            for (axis, count) in shader.groupCount.enumerated() where axis < device.maxComputeWorkGroupCount.count && count > device.maxComputeWorkGroupCount[axis] {
                return "\(shader.name) dispatches \(count) work-groups on axis \(axis), the device allows \(device.maxComputeWorkGroupCount[axis])"
            }
            if let cap = device.loopIterationLimit, shader.loopIterations > cap {
                return "\(shader.name) runs up to \(shader.loopIterations) loop iterations per invocation, over the device's cap of \(cap)"
            }
        }
        return nil
    }

    /// GLSL for this device, compiled in process by glslang. Tiles whose work-group fits no
    /// strategy in the device's shared memory run as the smaller tiling `DeviceFit` gives (the
    /// same attention); when that fails too, the device cannot run the spec:
    /// `unsupportedOnDevice` with the first error, so that `auto` moves the spec to the next backend.
    private func generate(_ spec: AttentionSpec) throws(AttentionError) -> VulkanProgramLayout {
        do {
            return try layout(spec)
        } catch .invalidSpec(let first) {
            guard strategy == nil, let tiling = DeviceFit.tiling(for: spec, device: options.device), tiling != spec.tiling else {
                throw .unsupportedOnDevice(name: name, reason: first.description)
            }
            var smaller = spec
            smaller.tiling = tiling
            do {
                return try layout(smaller)
            } catch {
                throw .unsupportedOnDevice(name: name, reason: "\(error.description) (with the spec's tiling: \(first.description))")
            }
        }
    }

    /// What the emitter is told about this device.
    private var options: GLSLOptions {
        let device = context.device
        return GLSLOptions(
            maxWorkgroupSize: device.maxComputeWorkGroupInvocations, sharedMemoryBytes: device.maxComputeSharedMemorySize,
            // A CPU driver (lavapipe) runs a work-group as SIMD rows of its subgroup size.
            strategy: strategy, simdInvocations: device.type == .cpu && device.subgroupSize > 0 ? device.subgroupSize : nil,
            subgroupSize: device.shuffleSubgroupSize, cooperativeMatrix: device.cooperativeMatrixSupport)
    }

    private func layout(_ spec: AttentionSpec) throws(AttentionError) -> VulkanProgramLayout {
        let device = context.device
        let source: GLSLKernelSource
        do {
            let plan = try TilePlan(spec)
            // lavapipe silently stops an invocation after its loop cap: tile loops are unrolled only
            // when needed to stay under it, and a configuration over it anyway is refused.
            source = try GLSLKernelSource.forLoopCap(
                device.loopIterationLimit, program: KernelProgram(spec: spec), plan: plan, options: options)
        } catch {
            throw .invalidSpec(error)
        }
        do {
            return try VulkanProgramLayout(source: source)
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
    }
}

extension VulkanBackend {
    /// The backward pass as generated compute shaders (`GLSLGradientSource`); the forward runs
    /// first on this device when its output and lse were not given. A program over the device's
    /// limits (lavapipe's loop cap included) is `unsupportedOnDevice`, so `auto` moves on.
    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        if inputs.spec.scores.bias != nil {
            throw .unsupportedOnDevice(name: name, reason: "the backward kernels do not read a bias tensor yet (the CPU interpreter does)")
        }
        let layout = try preparedGradients.layout(for: .init(spec: inputs.spec, strategy: nil)) { () throws(AttentionError) in
            let source: GLSLGradientSource
            do throws(SpecError) {
                source = try GLSLGradientSource(plan: TilePlan(inputs.spec))
            } catch {
                throw .invalidSpec(error)
            }
            do throws(SPIRVCompileError) {
                return try VulkanProgramLayout(gradients: source)
            } catch {
                throw .backendFailed(name: name, reason: error.description)
            }
        }
        if let reason = incompatibility(of: layout) { throw .unsupportedOnDevice(name: name, reason: reason) }
        let forward = try inputs.forwardResult { () throws(AttentionError) in try run(inputs.forward) }
        let backward: VulkanPreparedRun
        do throws(VulkanError) {
            backward = try VulkanPreparedRun(context: context, layout: layout, origin: .generated, tensors: inputs.tensors(forward: forward))
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
        _ = try backward.dispatch()
        let p = inputs.spec.problem
        return AttentionGradients(
            dq: try backward.tensor("dq", shape: p.queryTensorShape), dk: try backward.tensor("dk", shape: p.keyTensorShape),
            dv: try backward.tensor("dv", shape: p.valueTensorShape))
    }
}
