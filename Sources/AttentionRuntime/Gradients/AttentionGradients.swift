import AttentionSpec
import AttentionTensors

/// The inputs of one backward call: the forward's inputs, the upstream gradient `dO` and,
/// optionally, the forward's output and log-sum-exp (computed here when not given).
public struct AttentionGradientInputs: Sendable {
    public let forward: AttentionInputs
    /// `[batch, *queryShape, heads, valueDim]`, float32 (not rounded: gradients are float32).
    public let dOutput: Tensor
    /// The forward's output and lse, when the caller kept them.
    public let output: Tensor?
    public let lse: Tensor?

    public var spec: AttentionSpec { forward.spec }

    /// Checks every shape against the spec; `output` and `lse` come together or not at all.
    public init(
        spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor, bias: Tensor? = nil, dOutput: Tensor, output: Tensor? = nil,
        lse: Tensor? = nil
    ) throws(AttentionError) {
        if let pages = spec.problem.pages {
            throw .invalidSpec(.invalidValue(
                field: "problem.pages", value: "\(pages.pageCount) pages of \(pages.pageSize)",
                reason: "a paged KV cache is for inference; the backward pass needs K and V as [batch, *keyShape, kvHeads, dim]"))
        }
        // The backward recomputes and reads the forward in float32 (D = rowsum(dO ∘ O) from the
        // unrounded O); a 16-bit outputDtype only narrows what the forward hands to its caller.
        var wide = spec
        wide.problem.outputDtype = .float32
        forward = try AttentionInputs(spec: wide, q: q, k: k, v: v, bias: bias)
        let p = spec.problem
        if (output == nil) != (lse == nil) {
            throw .incompleteForward(given: output == nil ? "lse" : "output", missing: output == nil ? "output" : "lse")
        }
        let given: [(String, Tensor?, [Int], String)] = [
            ("dout", dOutput, p.outputTensorShape, "[batch, *queryShape, heads, valueDim]"),
            ("out", output, p.outputTensorShape, "[batch, *queryShape, heads, valueDim]"),
            ("lse", lse, p.lseTensorShape, "[batch, *queryShape, heads]"),
        ]
        for (role, tensor, expected, layout) in given {
            if let tensor, tensor.shape != expected {
                throw .shapeMismatch(role: role, expected: expected, found: tensor.shape, layout: layout)
            }
        }
        self.dOutput = dOutput
        self.output = output
        self.lse = lse
    }
}

extension AttentionGradientInputs {
    /// The forward's output and lse: the caller's, or `run`'s when the caller gave none.
    public func forwardResult<E: Error>(_ run: () throws(E) -> AttentionResult) throws(E) -> (output: Tensor, lse: Tensor) {
        if let output, let lse { return (output, lse) }
        let result = try run()
        return (result.output, result.lse)
    }

    /// The tensors a device program binds by name: q, k, v (rounded to the storage type), the
    /// forward's output and lse, and dout.
    public func tensors(forward: (output: Tensor, lse: Tensor)) -> [String: Tensor] {
        ["q": self.forward.q, "k": self.forward.k, "v": self.forward.v, "output": forward.output, "lse": forward.lse, "dout": dOutput]
    }
}

/// The gradients of one backward call, float32 whatever the storage type.
public struct AttentionGradients: Sendable, Equatable {
    /// `[batch, *queryShape, heads, headDim]`.
    public var dq: Tensor
    /// `[batch, *keyShape, kvHeads, headDim]`: summed over the query heads sharing a kv head.
    public var dk: Tensor
    /// `[batch, *keyShape, kvHeads, valueDim]`.
    public var dv: Tensor
    /// The backend that produced them, and its device (set by `AttentionRuntime`).
    public var backendName: String = ""
    public var deviceName: String = ""
    /// The errors of backends that could not run the backward before this one.
    public var failedAttempts: [String] = []

    public init(dq: Tensor, dk: Tensor, dv: Tensor) {
        self.dq = dq
        self.dk = dk
        self.dv = dv
    }
}
