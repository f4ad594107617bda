import AttentionRuntime
import AttentionTestSupport
import KernelLowering
import Testing

/// The emulated cooperative-matrix strategy on lavapipe: the sweep's specs in float16 and
/// bfloat16 (every mask kind, split-KV and lean, ragged edges, fully masked rows, GQA, a
/// chunk-free d256), against the float64 reference.
@Suite(.serialized) struct VulkanCooperativeMatrixTests {
    @Test(arguments: CooperativeMatrixSweep.specs.indices)
    func emulatedFragmentsMatchTheReference(index: Int) throws {
        var backend = try SharedVulkan.backend.get()
        let limits = SharedVulkan.limits(backend)
        let failures = try CooperativeMatrixSweep.failures(index: index, limits: limits) { strategy, inputs in
            backend.strategy = strategy
            return try backend.run(inputs)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
