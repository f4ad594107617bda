import AttentionRuntime
import AttentionTestSupport
import KernelLowering
import Testing

/// The strategy sweep on PoCL: every spec under each strategy the picker can choose for it
/// (chosen, unrolled, chunked stage, another micro-tile), against the float64 reference.
@Suite struct OpenCLStrategySweepTests {
    @Test(arguments: StrategySweep.specs.indices)
    func everyStrategyMatchesTheReference(index: Int) throws {
        var backend = try SharedOpenCL.get()
        let device = backend.context.device
        let limits = DeviceLimits(sharedMemoryBytes: min(device.localMemorySize, 49152), maxWorkgroupSize: device.maxWorkGroupSize, vectorWidth: 16)
        let failures = try StrategySweep.failures(index: index, limits: limits) { strategy, inputs in
            backend.strategy = strategy
            return try backend.run(inputs)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
