import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import OpenCLEmitter
import Testing

/// The backward kernels on the OpenCL device (PoCL here) against the float64 reference.
@Suite struct OpenCLGradientTests {
    @Test func everyMaskKindMatchesTheReference() throws {
        let backend = try SharedOpenCL.get()
        for (n, spec) in GradientSweep.specs.enumerated() {
            for amplitude: Float in [1, 100] {
                let inputs = try randomGradientInputs(spec, seed: 500 + UInt64(n), amplitude: amplitude)
                let report = ToleranceRule().check(try backend.gradients(inputs), for: inputs)
                #expect(report.passed, "\(spec.summary) ×\(amplitude): \(report)")
            }
        }
    }

    @Test func theBackwardProgramIsBuiltOncePerSpec() throws {
        // Its own cache (the context's program cache is shared), so other tests do not count.
        let backend = OpenCLBackend(context: try SharedOpenCL.get().context)
        let spec = GradientSweep.specs[1]
        for seed in 0..<3 { _ = try backend.gradients(try randomGradientInputs(spec, seed: UInt64(seed))) }
        #expect(backend.preparedGradients.statistics == .init(builds: 1, hits: 2))
    }

    @Test func theProgramNamesItsKernelsAndBuffers() throws {
        let source = try OpenCLGradientSource(plan: TilePlan(GradientSweep.specs[4]))
        #expect(source.launches.map(\.kernel) == ["attention_backward_rowdot", "attention_backward_kv", "attention_backward_q"])
        #expect(Set(source.buffers.map(\.name)).isSuperset(of: ["q", "k", "v", "dout", "lse", "output", "dq", "dk", "dv", "visitors"]))
        #expect(source.programText.contains("neighborhood_mask_allows"))
    }
}
