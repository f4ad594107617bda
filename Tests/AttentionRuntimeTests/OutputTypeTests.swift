import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// 16-bit outputs (`problem.outputDtype`): every backend stores float16 or bfloat16 values
/// rounded to nearest even from its float32 result, through the attention kernel (flash) and
/// through the merge (split-KV, lean), with vector and strided micro-tiles; the lse stays float32.
@Suite struct OutputTypeTests {
    static let specs: [AttentionSpec] = [
        AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [70], dtype: .float16).masked(.causal)
            .tiled(query: [16], key: [16]).output(as: .float16),
        AttentionSpec.attention(batch: 2, heads: 2, headDim: 64, valueDim: 24, tokens: [5], keyTokens: [300], dtype: .bfloat16)
            .tiled(query: [8], key: [64]).scheduled(.splitKV(splits: 3)).output(as: .bfloat16),
        VariableLengthTests.varlen(queries: [1, 1, 1], keys: [40, 1, 500], right: 0, heads: 4, kvHeads: 1, headDim: 16)
            .tiled(query: [1], key: [32]).scheduled(.lean(workgroups: 5)).output(as: .float16),
        AttentionSpec.attention(heads: 3, headDim: 8, tokens: [33]).masked(.slidingWindow(left: 4, right: 4))
            .tiled(query: [8], key: [8]).output(as: .bfloat16),
    ].map { try! $0.validated() }

    @Test(arguments: [Float(1), 100])
    func forwardMatchesTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkForward(Self.specs, seed: 1700, amplitude: amplitude)
    }

    /// The stored values are exactly the float32 results rounded to nearest even: every output
    /// element is representable in the output type and equals the float32 run's value rounded
    /// by the host.
    @Test func outputsAreRepresentableInTheirTypeAndRoundTheFloat32Result() throws {
        for (n, spec) in Self.specs.enumerated() {
            var wide = spec
            wide.problem.outputDtype = .float32
            let inputs = try randomInputs(spec, seed: 70 + UInt64(n))
            let wideInputs = try AttentionInputs(spec: wide, q: inputs.q, k: inputs.k, v: inputs.v)
            for runtime in try EveryBackend.runtimes.get() {
                let narrow = try runtime.run(inputs)
                let reference = try runtime.run(wideInputs)
                let type = spec.problem.outputDtype
                let representable = narrow.output.elements.allSatisfy { type.rounded($0) == $0 || $0.isNaN }
                #expect(representable, "\(narrow.backendName), \(spec.summary)")
                // Both runs compute the same float32 values (only the store differs), so the stored
                // values are those rounded to nearest even, bit for bit.
                let differing = zip(narrow.output.elements, reference.output.elements).filter { $0.bitPattern != type.rounded($1).bitPattern }
                #expect(differing.isEmpty, "\(narrow.backendName), \(spec.summary): \(differing.count) differ, e.g. \(differing.prefix(3))")
                #expect(narrow.lse == reference.lse, "\(narrow.backendName), \(spec.summary): the lse stays float32")
            }
        }
    }

    /// Values at the edges of float16: subnormal outputs (tiny V) and outputs near the largest
    /// half land within one unit of the float64 reference rounded by the host's Float16 (where
    /// float32's own error is below that unit).
    @Test func float16EdgesRoundAsTheHostDoes() throws {
        let spec = Self.specs[0]
        for scale: Float in [1e-6, 3e-5, 6e4] {
            let inputs = try randomInputs(spec, seed: 5)
            var v = inputs.v
            for i in v.elements.indices { v.elements[i] = Float(Float16(v.elements[i] * scale)) }
            let scaled = try AttentionInputs(spec: spec, q: inputs.q, k: inputs.k, v: v)
            let exact = NaiveAttention.compute(spec, q: scaled.q.elements, k: scaled.k.elements, v: v.elements, as: Double.self)
            for runtime in try EveryBackend.runtimes.get() {
                let result = try runtime.run(scaled)
                // Outputs far below |V| come from cancellation, where float32's own error exceeds a half's unit.
                let far = zip(result.output.elements, exact.output).filter { value, reference in
                    guard abs(reference) >= 0.01 * Double(scale) else { return false }
                    let rounded = Float16(Float(reference))
                    return abs(value - Float(rounded)) > Float(rounded.ulp)
                }
                #expect(far.isEmpty, "\(result.backendName), V × \(scale): \(far.prefix(3))")
            }
        }
    }
}
