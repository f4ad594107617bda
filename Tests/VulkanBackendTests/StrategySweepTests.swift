import AttentionRuntime
import AttentionTestSupport
import KernelLowering
import Testing

/// The strategy sweep on lavapipe: every spec under each strategy the picker can choose for it
/// (chosen, unrolled, chunked stage, another micro-tile, rows reduced by subgroup shuffles), against the float64 reference.
@Suite struct VulkanStrategySweepTests {
    @Test(arguments: StrategySweep.specs.indices)
    func everyStrategyMatchesTheReference(index: Int) throws {
        var backend = try SharedVulkan.backend.get()
        let limits = SharedVulkan.limits(backend)
        let failures = try StrategySweep.failures(index: index, limits: limits) { strategy, inputs in
            backend.strategy = strategy
            return try backend.run(inputs)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
