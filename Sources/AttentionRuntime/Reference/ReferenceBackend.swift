import AttentionSpec
import AttentionTensors

/// The float64 reference: naive attention in `Double`, rounded to `Float` on output.
public struct ReferenceBackend: AttentionBackend {
    public let name = "reference"
    public var device: String { "host CPU (float64 reference, not the SIMD interpreter)" }

    public init() {}

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let exact = NaiveAttention.compute(
            inputs.spec, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, bias: inputs.bias?.elements, as: Double.self)
        let p = inputs.spec.problem
        do {
            return AttentionResult(
                output: try Tensor(shape: p.outputTensorShape, elements: exact.output.map { p.outputDtype.rounded(Float($0)) }),
                lse: try Tensor(shape: p.lseTensorShape, elements: exact.lse.map(Float.init)))
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
    }
}

extension ReferenceBackend {
    /// The float64 reference gradients (`NaiveGradients`), rounded to `Float`.
    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        let f = inputs.forward
        let exact = NaiveGradients.compute(
            inputs.spec, q: f.q.elements, k: f.k.elements, v: f.v.elements, bias: f.bias?.elements, dOutput: inputs.dOutput.elements, as: Double.self)
        let p = inputs.spec.problem
        do {
            return AttentionGradients(
                dq: try Tensor(shape: p.queryTensorShape, elements: exact.dq.map(Float.init)),
                dk: try Tensor(shape: p.keyTensorShape, elements: exact.dk.map(Float.init)),
                dv: try Tensor(shape: p.valueTensorShape, elements: exact.dv.map(Float.init)))
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
    }
}
