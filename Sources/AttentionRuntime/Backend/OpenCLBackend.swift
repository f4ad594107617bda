import AttentionPlan
import AttentionSpec
import AttentionTensors
import KernelIR
import KernelLowering
import OpenCLEmitter
import OpenCLRuntime

/// Runs specs as generated OpenCL C kernels on one OpenCL device: emits the source for the
/// spec, builds it through the context's program caches (specs with the same compile-time
/// constants share one program), uploads the tensors and the plan, enqueues the dispatch
/// sequence and reads back the output and the log-sum-exp.
public struct OpenCLBackend: AttentionBackend {
    public let name = "opencl"
    public var device: String { context.device.description }
    /// The device's context; its `cacheStatistics` count program builds and cache hits.
    public let context: OpenCLContext
    /// Packages whose program is used instead of generating one, when the spec matches and the
    /// device can run it.
    public let prebuilt: PrebuiltKernels?
    /// A kernel strategy to use instead of the one chosen for the device (benchmarks and tuning).
    public var strategy: KernelStrategy?
    /// Layouts prepared before, by spec: a repeated spec is not planned or emitted again.
    public let prepared = PreparedKernelCache<OpenCLProgramLayout>()
    /// The backward programs prepared before, by spec.
    public let preparedGradients = PreparedKernelCache<OpenCLProgramLayout>()

    /// Opens the device `device` selects (default: the first one). No platform, no device or
    /// no match becomes `AttentionError.backendUnavailable` with the OpenCL error text.
    public init(
        device: DeviceQuery = .index(0), programCache: ProgramCacheLocation = .userDefault, prebuilt: PrebuiltKernels? = nil
    ) throws(AttentionError) {
        do {
            context = try OpenCLContext(device, programCache: programCache)
        } catch {
            throw .backendUnavailable(name: "opencl", reason: error.description)
        }
        self.prebuilt = prebuilt
    }

    /// Runs on an existing context (to share its program cache).
    public init(context: OpenCLContext, prebuilt: PrebuiltKernels? = nil) {
        self.context = context
        self.prebuilt = prebuilt
    }

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let prepared = try prepare(inputs)
        _ = try prepared.dispatch()
        var result = try prepared.result()
        result.kernelOrigin = prepared.origin
        return result
    }

    /// Emits, builds and uploads everything for `inputs` without running it, so benchmarks can
    /// dispatch the same run repeatedly.
    /// A prebuilt package for the spec is used when it fits this device.
    public func prepare(_ inputs: AttentionInputs) throws(AttentionError) -> OpenCLPreparedRun {
        let (layout, origin) = try layout(for: inputs.spec)
        return try prepare(layout, origin: origin, tensors: inputs.tensors)
    }

    /// Builds `layout`'s program and binds its kernels to freshly uploaded buffers.
    func prepare(_ layout: OpenCLProgramLayout, origin: KernelOrigin, tensors: [String: Tensor]) throws(AttentionError) -> OpenCLPreparedRun {
        try failing { () throws(OpenCLError) -> OpenCLPreparedRun in
            let program = try context.buildProgram(source: layout.programText)
            let buffers = try OpenCLBufferUpload(context: context, layout: layout, tensors: tensors).buffers
            let steps = try layout.launches.map { (launch) throws(OpenCLError) -> OpenCLPreparedRun.Step in
                let arguments = launch.arguments.compactMap { argument -> KernelArgument? in
                    switch argument {
                    case .buffer(let name): buffers[name].map(KernelArgument.buffer)
                    case .int(let value): .int32(Int32(value))
                    case .float(let value): .float(value)
                    }
                }
                return OpenCLPreparedRun.Step(kernel: try program.makeKernel(launch.kernel), arguments: arguments, launch: launch)
            }
            return OpenCLPreparedRun(context: context, layout: layout, origin: origin, steps: steps, buffers: buffers)
        }
    }

    /// The layout for `spec`: a prebuilt package's when it fits this device, else generated
    /// (once per spec and strategy: `prepared`).
    private func layout(for spec: AttentionSpec) throws(AttentionError) -> (OpenCLProgramLayout, KernelOrigin) {
        if let package = prebuilt?.package(for: spec), incompatibility(of: package.opencl) == nil {
            return (package.opencl, .package(package.name))
        }
        let layout = try prepared.layout(for: .init(spec: spec, strategy: strategy)) { () throws(AttentionError) in
            OpenCLProgramLayout(source: try fittedToLocalMemory(try emit(spec)))
        }
        return (layout, .generated)
    }

    public func kernelChoice(for spec: AttentionSpec) throws(AttentionError) -> KernelChoice {
        let (layout, origin) = try layout(for: spec)
        let device = context.device
        return KernelChoice(
            backend: name, device: self.device, origin: origin, strategy: layout.strategy, tiling: layout.spec.tiling,
            kernels: layout.launches.map { .init(name: $0.kernel, workgroupSize: $0.localSize, sharedMemoryBytes: $0.localMemoryBytes) },
            limits: "\(device.localMemorySize) bytes of local memory, work-groups up to \(device.maxWorkGroupSize)"
                + (limits.vectorWidth > 1 ? ", a CPU device: micro-tiles in vectors of up to \(limits.vectorWidth)" : ""))
    }

    /// Why this device cannot run `layout` as built (nil when it can): local memory and
    /// work-group size.
    public func incompatibility(of layout: OpenCLProgramLayout) -> String? {
        let device = context.device
        for launch in layout.launches {
            if launch.localMemoryBytes > device.localMemorySize {
                return "\(launch.kernel) needs \(launch.localMemoryBytes) bytes of local memory, the device has \(device.localMemorySize)"
            }
            if launch.localSize > device.maxWorkGroupSize {
                return "\(launch.kernel) has work-groups of \(launch.localSize), the device allows \(device.maxWorkGroupSize)"
            }
        }
        return nil
    }

    /// What the device offers the kernel strategy. A CPU device (PoCL) vectorises inside each
    /// work-item, so its micro-tiles are held in wide vectors.
    public var limits: DeviceLimits {
        let device = context.device
        return DeviceLimits(
            sharedMemoryBytes: device.localMemorySize, maxWorkgroupSize: device.maxWorkGroupSize,
            vectorWidth: device.type == .cpu ? 16 : 1)
    }

    /// The source for `spec`, sized to the device's work-group limit.
    public func emit(_ spec: AttentionSpec) throws(AttentionError) -> OpenCLKernelSource {
        do {
            let plan = try TilePlan(spec)
            return try OpenCLKernelSource(
                program: KernelProgram(spec: spec), plan: plan,
                device: limits,
                strategy: strategy)
        } catch {
            throw .invalidSpec(error)
        }
    }

    /// The source, or the same spec with the largest smaller tiling that fits the device's local
    /// memory (e.g. NVIDIA's 48 KiB cannot hold 64×64 tiles at d64). When nothing fits, the
    /// error names the memory needed and available.
    private func fittedToLocalMemory(_ source: OpenCLKernelSource) throws(AttentionError) -> OpenCLKernelSource {
        let fitted = source.fitted(toLocalMemory: context.device.localMemorySize)
        try checkLocalMemory(fitted)
        return fitted
    }

    /// Refuses a tiling whose work-group needs more local memory than the device has, naming a
    /// smaller tiling that fits.
    private func checkLocalMemory(_ source: OpenCLKernelSource) throws(AttentionError) {
        let device = context.device
        for launch in source.launches where launch.localMemoryBytes > device.localMemorySize {
            let advice = source.tiling(fittingLocalMemory: device.localMemorySize).map {
                "choose a smaller tiling, e.g. \"tiling\": {\"queryTile\": \($0.queryTile), \"keyTile\": \($0.keyTile)}"
            } ?? "no tiling of this head dimension fits; use a device with more local memory"
            let error = OpenCLError.localMemoryTooSmall(
                needed: launch.localMemoryBytes, available: device.localMemorySize, device: device.name,
                kernel: launch.kernel, suggestion: advice)
            throw .unsupportedOnDevice(name: name, reason: error.description)
        }
    }
}

extension OpenCLBackend {
    /// The backward pass as generated OpenCL C (`OpenCLGradientSource`); the forward runs
    /// first on this device when its output and lse were not given.
    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        if inputs.spec.scores.bias != nil {
            throw .unsupportedOnDevice(name: name, reason: "the backward kernels do not read a bias tensor yet (the CPU interpreter does)")
        }
        let layout = try preparedGradients.layout(for: .init(spec: inputs.spec, strategy: nil)) { () throws(AttentionError) in
            do throws(SpecError) {
                return OpenCLProgramLayout(gradients: try OpenCLGradientSource(plan: TilePlan(inputs.spec)))
            } catch {
                throw .invalidSpec(error)
            }
        }
        if let reason = incompatibility(of: layout) { throw .unsupportedOnDevice(name: name, reason: reason) }
        let forward = try inputs.forwardResult { () throws(AttentionError) in try run(inputs.forward) }
        let backward = try prepare(layout, origin: .generated, tensors: inputs.tensors(forward: forward))
        _ = try backward.dispatch()
        let p = inputs.spec.problem
        return AttentionGradients(
            dq: try backward.tensor("dq", shape: p.queryTensorShape), dk: try backward.tensor("dk", shape: p.keyTensorShape),
            dv: try backward.tensor("dv", shape: p.valueTensorShape))
    }
}

/// Runs `body`, turning OpenCL errors into `AttentionError.backendFailed` with their text.
func failing<T>(_ body: () throws(OpenCLError) -> T) throws(AttentionError) -> T {
    do {
        return try body()
    } catch {
        throw .backendFailed(name: "opencl", reason: error.description)
    }
}
