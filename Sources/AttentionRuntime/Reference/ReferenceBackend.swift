import AttentionSpec
import AttentionTensors

/// The float64 reference: naive attention in `Double`, rounded to `Float` on output.
public struct ReferenceBackend: AttentionBackend {
    public let name = "reference"
    public var device: String { "host CPU (float64 reference, not the SIMD interpreter)" }

    public init() {}

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let exact = NaiveAttention.compute(
            inputs.spec, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, as: Double.self)
        let p = inputs.spec.problem
        do {
            return AttentionResult(
                output: try Tensor(shape: p.outputTensorShape, elements: exact.output.map(Float.init)),
                lse: try Tensor(shape: p.lseTensorShape, elements: exact.lse.map(Float.init)))
        } catch {
            throw .backendFailed(name: name, reason: error.description)
        }
    }
}
