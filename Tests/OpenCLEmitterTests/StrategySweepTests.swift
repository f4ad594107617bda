import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import KernelLowering
import Testing

/// The strategy sweep on PoCL: every spec under each strategy the picker can choose for it
/// (chosen, unrolled, chunked stage, another micro-tile), against the float64 reference.
@Suite struct OpenCLStrategySweepTests {
    @Test(arguments: StrategySweep.specs.indices)
    func everyStrategyMatchesTheReference(index: Int) throws {
        let spec = StrategySweep.specs[index]
        var backend = try SharedOpenCL.get()
        let device = backend.context.device
        let limits = DeviceLimits(sharedMemoryBytes: min(device.localMemorySize, 49152), maxWorkgroupSize: device.maxWorkGroupSize)
        let strategies = try StrategySweep.strategies(for: spec, limits: limits)
        #expect(strategies.count >= 3, "\(spec.summary)")
        let inputs = try randomInputs(spec, seed: UInt64(index) + 11)
        for strategy in strategies {
            backend.strategy = strategy
            let report = ToleranceRule().check(try backend.run(inputs), for: inputs)
            #expect(report.passed, "\(spec.summary) with \(strategy.compact): \(report)")
        }
    }
}
