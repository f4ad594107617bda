import AttentionSpec
import AttentionTensors

/// The result of one attention call.
public struct AttentionResult: Sendable, Equatable {
    /// `[batch, *queryShape, heads, valueDim]`.
    public var output: Tensor
    /// Natural-log log-sum-exp of the scaled scores, `[batch, *queryShape, heads]`; −inf for
    /// rows that see no key.
    public var lse: Tensor
    /// The backend that produced this result, and its device (set by `AttentionRuntime`).
    public var backendName: String
    public var deviceName: String = ""
    /// The errors of backends that failed before this one, when retries were enabled.
    public var failedAttempts: [String]
    /// For device backends: whether the kernels were generated now or came from a package.
    public var kernelOrigin: KernelOrigin?

    public init(output: Tensor, lse: Tensor, backendName: String = "", failedAttempts: [String] = []) {
        self.output = output
        self.lse = lse
        self.backendName = backendName
        self.failedAttempts = failedAttempts
    }
}

/// The inputs of one attention call, checked against the spec's shapes; q, k and v read back
/// rounded to its storage type.
public struct AttentionInputs: Sendable {
    public let spec: AttentionSpec
    /// q, k and v rounded to `spec.problem.dtype`. The rounding happens on first read and is kept
    /// (one scan, and a copy only for inputs with values the type does not hold). The CPU
    /// backend instead checks K and V as its run reads them; once a run passed, these are the
    /// tensors as given, and rows no run reads (pool pages no sequence uses) stay as given.
    public var q: Tensor { operands.rounded(.q) }
    public var k: Tensor { operands.rounded(.k) }
    public var v: Tensor { operands.rounded(.v) }
    let operands: StoredOperands
    /// The score bias `[batch | 1, heads | 1, queryTokens, keyTokens]`, float32, when the spec has
    /// `scores.bias`.
    public let bias: Tensor?

    /// Validates the spec and the tensors' shapes; q, k and v will read back rounded to
    /// `spec.problem.dtype` (the bias stays float32).
    public init(spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor, bias: Tensor? = nil) throws(AttentionError) {
        do { try spec.validate() } catch { throw .invalidSpec(error) }
        let p = spec.problem
        let keyRows = p.pages == nil ? "batch, *keyShape" : "pageCount, pageSize"
        for (role, tensor, expected, layout) in [
            ("q", q, p.queryTensorShape, "[batch, *queryShape, heads, headDim]"),
            ("k", k, p.keyTensorShape, "[\(keyRows), kvHeads, headDim]"),
            ("v", v, p.valueTensorShape, "[\(keyRows), kvHeads, valueDim]"),
        ] where tensor.shape != expected {
            throw .shapeMismatch(role: role, expected: expected, found: tensor.shape, layout: layout)
        }
        switch (spec.scores.bias, bias) {
        case (let layout?, let tensor?):
            let expected = layout.shape(for: p)
            if tensor.shape != expected {
                throw .shapeMismatch(role: "bias", expected: expected, found: tensor.shape, layout: "[batch | 1, heads | 1, queryTokens, keyTokens]")
            }
        case (let layout?, nil):
            throw .unexpectedInput(role: "bias", reason: "the spec's scores.bias needs a bias tensor \(layout.shape(for: p))")
        case (nil, _?):
            throw .unexpectedInput(role: "bias", reason: "a bias tensor was given but the spec has no scores.bias")
        case (nil, nil):
            break
        }
        self.bias = bias
        self.spec = spec
        operands = StoredOperands(type: p.dtype, q: q, k: k, v: v)
    }
}

extension AttentionInputs {
    /// The input tensors by the buffer names of the generated programs.
    var tensors: [String: Tensor] {
        var named = ["q": q, "k": k, "v": v]
        if let bias { named["bias"] = bias }
        return named
    }
}

/// One executor of attention specs. The float64 reference, the CPU interpreter, OpenCL and
/// Vulkan all implement this, so the CLI and the library call one API.
public protocol AttentionBackend: Sendable {
    /// Short name used by `--backend` and in logs.
    var name: String { get }
    /// The device it runs on, for logs and `attngen devices --explain`.
    var device: String { get }
    func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult
    /// How this backend would run `spec`, without running it.
    func kernelChoice(for spec: AttentionSpec) throws(AttentionError) -> KernelChoice
    /// The backward pass: dQ, dK and dV for `inputs`.
    func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients
}

extension AttentionBackend {
    public var device: String { CPUBackend.hostDevice }

    /// Backends without backward kernels say so; under `auto` the call moves on to the next backend.
    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        throw .unsupportedOnDevice(name: name, reason: "the backward pass has no kernels for this backend yet (the CPU interpreter and the reference have it)")
    }
}

/// Why an attention call failed.
public enum AttentionError: Error, Sendable, CustomStringConvertible {
    case invalidSpec(SpecError)
    case shapeMismatch(role: String, expected: [Int], found: [Int], layout: String)
    /// A caller's buffer holds the wrong number of elements for the spec.
    case bufferSizeMismatch(role: String, expected: Int, shape: [Int], found: Int)
    case unknownBackend(name: String, known: [String])
    /// An environment variable names no backend.
    case invalidBackendSetting(variable: String, value: String, reason: String)
    case backendUnavailable(name: String, reason: String)
    /// A prebuilt kernel package that cannot be read.
    case invalidKernelPackage(file: String, reason: String)
    /// A backward call was given one of the forward's output and lse without the other.
    case incompleteForward(given: String, missing: String)
    /// A tensor the spec needs was not given, or one it has no use for was.
    case unexpectedInput(role: String, reason: String)
    case backendFailed(name: String, reason: String)
    /// The device works but cannot run this spec (e.g. not enough local memory for any tiling);
    /// `auto` moves on to the next backend.
    case unsupportedOnDevice(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSpec(let error):
            "invalid spec: \(error)"
        case .shapeMismatch(let role, let expected, let found, let layout):
            "\(role): expected shape \(expected) (\(layout)) but got \(found)"
        case .bufferSizeMismatch(let role, let expected, let shape, let found):
            "\(role): the buffer holds \(found) elements but the spec's shape \(shape) needs \(expected)"
        case .unknownBackend(let name, let known):
            "unknown backend '\(name)' (known: \(known.joined(separator: ", ")))"
        case .invalidBackendSetting(let variable, let value, let reason):
            "\(variable)='\(value)' is not a backend: \(reason)"
        case .invalidKernelPackage(let file, let reason):
            "kernel package \(file): \(reason)"
        case .incompleteForward(let given, let missing):
            "the forward's \(given) was given without its \(missing): pass both, or neither to recompute them"
        case .unexpectedInput(let role, let reason):
            "\(role): \(reason)"
        case .backendUnavailable(let name, let reason):
            "backend '\(name)' is not available: \(reason)"
        case .backendFailed(let name, let reason):
            "backend '\(name)' failed: \(reason)"
        case .unsupportedOnDevice(let name, let reason):
            "backend '\(name)' cannot run this spec on its device: \(reason)"
        }
    }
}

extension AttentionError {
    /// Failures of a device or driver (worth retrying elsewhere), not of the caller's input.
    public var isDeviceFailure: Bool {
        switch self {
        case .backendUnavailable, .backendFailed, .unsupportedOnDevice: true
        case .invalidSpec, .shapeMismatch, .bufferSizeMismatch, .unknownBackend, .invalidBackendSetting, .invalidKernelPackage,
            .incompleteForward, .unexpectedInput: false
        }
    }
}

extension AttentionError {
    /// The device cannot run this spec (as opposed to failing while running it).
    public var isUnsupportedOnDevice: Bool {
        if case .unsupportedOnDevice = self { true } else { false }
    }
}
