import AttentionSpec
import AttentionTensors

/// SplitMix64: a tiny, seedable generator so test inputs and `attngen inputs` are repeatable.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Values uniform in `[-amplitude, amplitude)`: 24 random bits per value.
    public static func random(shape: [Int], amplitude: Float = 1, using generator: inout SeededGenerator) -> Tensor {
        var tensor = Tensor(zeros: shape)
        let unit = amplitude / Float(1 << 23)
        for n in tensor.elements.indices {
            tensor.elements[n] = Float(Int32(truncatingIfNeeded: generator.next() >> 40) - (1 << 23)) * unit
        }
        return tensor
    }
}

extension AttentionInputs {
    /// Random inputs for `spec`, drawn in the order q, k, v, bias: q and k uniform in
    /// `[-amplitude, amplitude)` (large logits), v in `[-1, 1)`, a score bias (when the spec has
    /// one) in `[-2, 2)`; rounded to the storage type like any inputs.
    public static func random(
        _ spec: AttentionSpec, amplitude: Float = 1, using generator: inout SeededGenerator
    ) throws(AttentionError) -> AttentionInputs {
        let p = spec.problem
        let q = Tensor.random(shape: p.queryTensorShape, amplitude: amplitude, using: &generator)
        let k = Tensor.random(shape: p.keyTensorShape, amplitude: amplitude, using: &generator)
        let v = Tensor.random(shape: p.valueTensorShape, using: &generator)
        let bias = spec.scores.bias.map { Tensor.random(shape: $0.shape(for: p), amplitude: 2, using: &generator) }
        return try AttentionInputs(spec: spec, q: q, k: k, v: v, bias: bias)
    }
}
