import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import CPUInterpreter
import Testing

@Suite struct InterpreterGradientTests {
    @Test(arguments: CPUInterpreter.GradientDecomposition.allCases)
    func everyMaskKindMatchesTheReference(decomposition: CPUInterpreter.GradientDecomposition) throws {
        for (n, spec) in GradientSweep.specs.enumerated() {
            for amplitude: Float in [1, 100] {
                let inputs = try randomGradientInputs(spec, seed: 300 + UInt64(n), amplitude: amplitude)
                let gradients = CPUBackend.gradients(try CPUInterpreter(spec: spec), inputs, decomposition: decomposition)
                let report = ToleranceRule().check(gradients, for: inputs)
                #expect(report.passed, "\(spec.summary) ×\(amplitude): \(report)")
            }
        }
    }

    @Test func bothDecompositionsAgreeBitForBitWithThemselvesAndClosely() throws {
        let spec = GradientSweep.specs[0]
        let inputs = try randomGradientInputs(spec, seed: 9)
        let interpreter = try CPUInterpreter(spec: spec)
        let first = CPUBackend.gradients(interpreter, inputs, decomposition: .headGroups)
        // Deterministic: the same call gives the same bits.
        #expect(CPUBackend.gradients(interpreter, inputs, decomposition: .headGroups) == first)
        let other = CPUBackend.gradients(interpreter, inputs, decomposition: .keyTilesThenQueryTiles)
        #expect(CPUBackend.gradients(interpreter, inputs, decomposition: .keyTilesThenQueryTiles) == other)
        // dK and dV sum in the same order in both; dQ's sums run in another order.
        #expect(other.dk == first.dk && other.dv == first.dv)
        let dqGap = zip(other.dq.elements, first.dq.elements).map { abs($0 - $1) }.max() ?? 0
        #expect(dqGap < 1e-5)
    }

    @Test func givenForwardGivesTheSameGradientsAsRecomputing() throws {
        let spec = GradientSweep.specs[1]
        let recomputing = try randomGradientInputs(spec, seed: 4)
        let forward = try CPUBackend().run(recomputing.forward)
        let given = try AttentionGradientInputs(
            spec: spec, q: recomputing.forward.q, k: recomputing.forward.k, v: recomputing.forward.v, dOutput: recomputing.dOutput,
            output: forward.output, lse: forward.lse)
        #expect(try CPUBackend().gradients(given) == CPUBackend().gradients(recomputing))
    }

    @Test func rowsThatSeeNoKeyAndKeysNoQuerySeesGetZeroGradients() throws {
        // Sq = 20 > Sk = 8, causal: query rows 0..<12 see no key.
        let spec = GradientSweep.specs[1]
        let inputs = try randomGradientInputs(spec, seed: 5)
        let gradients = try CPUBackend().gradients(inputs)
        let p = spec.problem
        let maskedRows = gradients.dq.elements[0..<(12 * p.heads * p.headDim)]
        #expect(maskedRows.allSatisfy { $0 == 0 })
        #expect(gradients.dq.elements.contains { $0 != 0 })
    }

    @Test func nanInTheInputsGivesNaNWhereTheReferenceHasIt() throws {
        let spec = GradientSweep.specs[0]
        let clean = try randomGradientInputs(spec, seed: 6)
        var q = clean.forward.q
        q.elements[3] = .nan
        let inputs = try AttentionGradientInputs(spec: spec, q: q, k: clean.forward.k, v: clean.forward.v, dOutput: clean.dOutput)
        let report = ToleranceRule().check(try CPUBackend().gradients(inputs), for: inputs)
        #expect(report.structuralMismatches == 0, "\(report)")
    }
}
