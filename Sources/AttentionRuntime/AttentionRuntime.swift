import AttentionPlan
import AttentionSpec
import AttentionTensors
import Foundation
import Logging

/// The one entry point for running attention: chooses a backend, validates inputs, runs them.
///
/// ```swift
/// let runtime = try AttentionRuntime()              // auto: a GPU if usable, else the CPU interpreter
/// let result = try runtime.attention(spec, q: q, k: k, v: v)
/// print(runtime.selection)                          // what was chosen, and why the rest was not
/// ```
///
/// A runtime is `Sendable`: share one across tasks; backends cache programs and pipelines.
public struct AttentionRuntime: Sendable {
    /// What to do when the chosen backend fails while running (build failure, device lost).
    public enum FailurePolicy: Sendable, Hashable {
        /// Throw the backend's error.
        case raise
        /// Run again on the next backend of the selection (logged at warning level and recorded
        /// in `AttentionResult.failedAttempts`). Invalid specs and shapes are never retried.
        case retryOnNextBackend
    }

    /// The backend that runs every call.
    public let backend: any AttentionBackend
    /// What was chosen and why.
    public let selection: BackendSelection
    public let failurePolicy: FailurePolicy
    let standby: StandbyBackends
    let logger: Logger
    /// The most a run may allocate (device copies, partials, plan tables, registers); a spec
    /// that needs more is refused with `SpecError.exceedsMemoryBudget` before anything runs.
    /// Default: the host's physical memory.
    public var memoryBudget: MemoryBudget = .host

    /// The default logger: label `attentiongen.runtime`; the backend choice is logged at debug level.
    public static let defaultLogger = Logger(label: "attentiongen.runtime")

    /// Backends selectable by name (`BackendRequest(parsing:)` also takes `opencl:DEVICE`).
    public static let backendNames = BackendRequest.names

    /// A runtime on the requested backend. With `.auto`, `ATTNGEN_BACKEND` in `environment`
    /// forces a backend when set; a forced backend that cannot open throws
    /// `AttentionError.backendUnavailable` — it never silently becomes another one. `kernels`:
    /// packages built ahead of time (e.g. by the build plugin) that Vulkan and OpenCL devices run
    /// as they are, without generating code (and, on Vulkan, without compiling shaders).
    public init(
        _ request: BackendRequest = .auto,
        failurePolicy: FailurePolicy = .raise,
        kernels: PrebuiltKernels? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        inventory: @autoclosure () -> DeviceInventory = DeviceInventory.probe(),
        logger: Logger = AttentionRuntime.defaultLogger
    ) throws(AttentionError) {
        var effective = request
        var forcedBy: String? = request == .auto ? nil : "the caller"
        if request == .auto, let fromEnvironment = try BackendRequest.fromEnvironment(environment), fromEnvironment != .auto {
            effective = fromEnvironment
            forcedBy = "\(BackendRequest.environmentVariable)=\(environment[BackendRequest.environmentVariable] ?? "")"
        }
        let opened: OpenedSelection
        if let forcedBy {
            opened = try Self.force(effective, forcedBy: forcedBy, kernels: kernels)
        } else {
            opened = Self.choose(BackendSelector.rank(inventory()), kernels: kernels)
        }
        self.backend = opened.backend
        self.selection = opened.selection
        self.failurePolicy = failurePolicy
        self.standby = StandbyBackends(opened.standby, kernels: kernels)
        self.logger = logger
        logger.debug("attention backend selected", metadata: [
            "backend": "\(selection.chosen.backend)",
            "device": "\(selection.chosen.device)",
            "forcedBy": "\(selection.forcedBy ?? "none (auto)")",
            "skipped": "\(selection.skippedSummary)",
        ])
    }

    /// A runtime on `backend`, with `fallbacks` tried in order when retries are enabled.
    public init(
        backend: any AttentionBackend, fallbacks: [any AttentionBackend] = [],
        failurePolicy: FailurePolicy = .raise, logger: Logger = AttentionRuntime.defaultLogger
    ) {
        self.backend = backend
        self.selection = BackendSelection(
            request: .auto, forcedBy: "the caller",
            chosen: .init(backend: backend.name, device: backend.device, verdict: .chosen),
            entries: [.init(backend: backend.name, device: backend.device, verdict: .chosen)]
                + fallbacks.map { .init(backend: $0.name, device: $0.device, verdict: .standby) })
        self.failurePolicy = failurePolicy
        self.standby = StandbyBackends(fallbacks.map { .ready($0) }, kernels: nil)
        self.logger = logger
    }

    /// A runtime on the backend `name` names (`auto`, `cpu`, `reference`, `opencl[:DEVICE]`,
    /// `vulkan[:DEVICE]`); an unknown name is a typed error.
    public init(backendNamed name: String, failurePolicy: FailurePolicy = .raise, kernels: PrebuiltKernels? = nil) throws(AttentionError) {
        try self.init(BackendRequest(parsing: name), failurePolicy: failurePolicy, kernels: kernels)
    }

    /// `bias`: the score bias tensor, when the spec has `scores.bias`.
    public func attention(_ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor, bias: Tensor? = nil) throws(AttentionError) -> AttentionResult {
        try run(AttentionInputs(spec: spec, q: q, k: k, v: v, bias: bias))
    }

    /// The async entry point: runs off the caller's executor.
    public func attention(_ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor, bias: Tensor? = nil) async throws -> AttentionResult {
        try await Task.detached { [self] in try attention(spec, q: q, k: k, v: v, bias: bias) }.value
    }

    /// Runs checked inputs on the chosen backend, moving on as `onBackends` says.
    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        try checkMemory(inputs.spec)
        return try onBackends { backend, failures throws(AttentionError) in
            var result = try backend.run(inputs)
            result.backendName = backend.name
            result.deviceName = backend.device
            result.failedAttempts = failures
            return result
        }
    }

    /// The backward pass: dQ, dK and dV (float32) for the forward `spec`, q, k, v and the
    /// upstream gradient `dOutput`. Pass the forward's `output` and `lse` to skip recomputing
    /// them (both or neither). A backend without backward kernels hands the call on under `auto`.
    public func gradients(
        _ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor, bias: Tensor? = nil, output: Tensor? = nil, lse: Tensor? = nil,
        dOutput: Tensor
    ) throws(AttentionError) -> AttentionGradients {
        try gradients(AttentionGradientInputs(spec: spec, q: q, k: k, v: v, bias: bias, dOutput: dOutput, output: output, lse: lse))
    }

    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        try checkBackwardMemory(inputs.spec)
        return try onBackends { backend, failures throws(AttentionError) in
            var result = try backend.gradients(inputs)
            result.backendName = backend.name
            result.deviceName = backend.device
            result.failedAttempts = failures
            return result
        }
    }

    /// Runs `body` on the chosen backend, then on each standby backend in turn: under `auto`
    /// when the chosen device cannot run the spec at all (`unsupportedOnDevice`), and for any
    /// device failure when the policy is `retryOnNextBackend`. A forced backend never switches
    /// on its own. `body` gets the errors of the backends that failed before.
    func onBackends<R>(_ body: (any AttentionBackend, [String]) throws(AttentionError) -> R) throws(AttentionError) -> R {
        var failures: [String] = []
        var current = backend
        var next = 0
        while true {
            do {
                return try body(current, failures)
            } catch {
                // auto routes a spec the chosen device cannot run to the next backend; other device
                // failures move on only when the caller opted in.
                let routed = selection.forcedBy == nil && error.isUnsupportedOnDevice
                guard routed || (failurePolicy == .retryOnNextBackend && error.isDeviceFailure), next < standby.count else { throw error }
                failures.append(error.description)
                let failed = current.name
                current = try standby.backend(at: next)
                next += 1
                logger.log(
                    level: routed ? .debug : .warning,
                    routed ? "attention spec not supported on the chosen device; using the next backend"
                        : "attention backend failed; retrying on the next backend",
                    metadata: ["failed": "\(failed)", "error": "\(error)", "retryingOn": "\(current.name) on \(current.device)"])
            }
        }
    }
}
