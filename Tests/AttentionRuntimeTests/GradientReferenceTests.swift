import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Foundation
import Testing

@Suite struct GradientReferenceTests {
    /// The float64 reference gradient against central finite differences of
    /// L = Σ dO ∘ attention(q, k, v), computed in float64 too.
    @Test(arguments: [
        try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 4, tokens: [7], keyTokens: [5]).masked(.causal).validated(),
        try! AttentionSpec.attention(heads: 1, headDim: 3, tokens: [9]).masked(.slidingWindow(left: 2, right: 1)).validated(),
        try! AttentionSpec.attention(heads: 2, headDim: 2, tokens: [4, 5])
            .masked(try! .neighborhood(window: [3, 3], stride: [1, 2], causal: [false, true])).validated(),
        // The softcap's chain rule and ALiBi: a cap small enough that tanh bends the scores.
        try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 4, tokens: [6], keyTokens: [8]).masked(.causal)
            .softcapped(0.5).alibi().validated(),
    ])
    func referenceMatchesFiniteDifferences(spec: AttentionSpec) throws {
        let inputs = try randomGradientInputs(spec, seed: 11)
        var (q, k, v) = (inputs.forward.q.elements, inputs.forward.k.elements, inputs.forward.v.elements)
        let dOutput = inputs.dOutput.elements
        let analytic = NaiveGradients.compute(spec, q: q, k: k, v: v, dOutput: dOutput, as: Double.self)
        func loss() -> Double {
            let output = NaiveAttention.compute(spec, q: q, k: k, v: v, as: Double.self).output
            return zip(output, dOutput).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        func check(_ tensor: WritableKeyPath<(q: [Float], k: [Float], v: [Float]), [Float]>, _ expected: [Double], _ name: String) {
            var values = (q: q, k: k, v: v)
            for index in values[keyPath: tensor].indices {
                let original = values[keyPath: tensor][index]
                // The perturbation as stored in Float, so the quotient uses the step really taken.
                let up = original + 1e-2, down = original - 1e-2
                values[keyPath: tensor][index] = up
                (q, k, v) = values
                let lossUp = loss()
                values[keyPath: tensor][index] = down
                (q, k, v) = values
                let lossDown = loss()
                values[keyPath: tensor][index] = original
                (q, k, v) = values
                let numeric = (lossUp - lossDown) / (Double(up) - Double(down))
                #expect(abs(numeric - expected[index]) <= 1e-4 * max(1, abs(expected[index])), "\(name)[\(index)]: \(numeric) vs \(expected[index])")
            }
        }
        check(\.q, analytic.dq, "dq")
        check(\.k, analytic.dk, "dk")
        check(\.v, analytic.dv, "dv")
    }

    @Test func forwardOutputAndLSEComeTogether() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 4, tokens: [3]).validated()
        let p = spec.problem
        let zeros = { (shape: [Int]) in Tensor(zeros: shape) }
        #expect(throws: AttentionError.self) {
            try AttentionGradientInputs(
                spec: spec, q: zeros(p.queryTensorShape), k: zeros(p.keyTensorShape), v: zeros(p.valueTensorShape),
                dOutput: zeros(p.outputTensorShape), output: zeros(p.outputTensorShape))
        }
        do {
            _ = try AttentionGradientInputs(
                spec: spec, q: zeros(p.queryTensorShape), k: zeros(p.keyTensorShape), v: zeros(p.valueTensorShape), dOutput: zeros([1, 3, 1, 5]))
            Issue.record("a dout of the wrong shape was accepted")
        } catch {
            #expect(error.description.contains("dout"))
        }
    }

    @Test func aBackendWithoutBackwardKernelsHandsTheCallOn() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 8, tokens: [10]).masked(.causal).validated()
        let inputs = try randomGradientInputs(spec, seed: 3)
        let runtime = AttentionRuntime(backend: TooSmallBackend(), fallbacks: [CPUBackend()], failurePolicy: .retryOnNextBackend)
        let gradients = try runtime.gradients(inputs)
        #expect(gradients.backendName == "cpu")
        #expect(gradients.failedAttempts.count == 1)
        #expect(ToleranceRule().check(gradients, for: inputs).passed)
        // Forced on its own, the same backend refuses with a typed error naming it.
        do {
            _ = try AttentionRuntime(backend: TooSmallBackend()).gradients(inputs)
            Issue.record("a backend without backward kernels returned gradients")
        } catch {
            #expect(error.isUnsupportedOnDevice)
        }
    }
}
