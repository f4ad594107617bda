import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import GLSLEmitter
import Testing

/// The backward shaders on the Vulkan device (lavapipe here) against the float64 reference.
@Suite struct VulkanGradientTests {
    @Test func everyMaskKindMatchesTheReferenceOrIsRefusedOverTheLoopCap() throws {
        let backend = try SharedVulkan.backend.get()
        var ran = 0
        for (n, spec) in GradientSweep.specs.enumerated() {
            let inputs = try randomGradientInputs(spec, seed: 700 + UInt64(n), amplitude: n % 2 == 0 ? 1 : 100)
            let estimate = try GLSLGradientSource(plan: TilePlan(spec)).loopIterationEstimate
            if let cap = backend.context.device.loopIterationLimit, estimate > cap {
                // lavapipe would stop the shader early: the backend must refuse, never return wrong numbers.
                #expect(throws: AttentionError.self) { try backend.gradients(inputs) }
                continue
            }
            let report = ToleranceRule().check(try backend.gradients(inputs), for: inputs)
            #expect(report.passed, "\(spec.summary): \(report)")
            ran += 1
        }
        #expect(ran >= GradientSweep.specs.count - 2, "only \(ran) of the sweep's specs fit the device")
    }

    @Test func overTheLoopCapIsUnsupportedOnDeviceSoAutoMovesOn() throws {
        let backend = try SharedVulkan.backend.get()
        guard backend.context.device.loopIterationLimit != nil else { return }
        let spec = try AttentionSpec.attention(heads: 4, headDim: 64, tokens: [256]).masked(.causal).validated()
        let inputs = try randomGradientInputs(spec, seed: 1)
        do {
            _ = try backend.gradients(inputs)
            Issue.record("a backward over lavapipe's loop cap ran")
        } catch {
            #expect(error.isUnsupportedOnDevice, "\(error)")
        }
    }
}
