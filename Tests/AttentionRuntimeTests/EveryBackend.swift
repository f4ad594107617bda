import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Testing

/// Sweeps of specs over every backend of this machine (the interpreter, and OpenCL and Vulkan
/// where a driver is installed), forward and backward, against the float64 reference.
enum EveryBackend {
    /// One runtime per backend, shared, so each spec's kernels are prepared once per process.
    static let runtimes = Result { try ScheduleExtremesTests.runtimes() }

    /// Every spec's forward on every backend, inputs scaled by `amplitude`.
    static func checkForward(_ specs: [AttentionSpec], seed: UInt64, amplitude: Float, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let runtimes = try runtimes.get()
        for (n, spec) in specs.enumerated() {
            let inputs = try randomInputs(spec, seed: seed + UInt64(n), amplitude: amplitude)
            for runtime in runtimes {
                let result = try runtime.run(inputs)
                let report = ToleranceRule().check(result, for: inputs)
                #expect(report.passed, "\(result.backendName), \(spec.summary), ×\(amplitude): \(report)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Every spec's gradients on every backend; a device may refuse a spec (lavapipe's loop
    /// cap: refused, never wrong), but each backend must run all but `refusals` of them.
    static func checkGradients(
        _ specs: [AttentionSpec], seed: UInt64, amplitude: Float, refusals: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let runtimes = try runtimes.get()
        var ran = [Int](repeating: 0, count: runtimes.count)
        for (n, spec) in specs.enumerated() {
            let inputs = try randomGradientInputs(spec, seed: seed + UInt64(n), amplitude: amplitude)
            for (r, runtime) in runtimes.enumerated() {
                guard let gradients = try gradientsUnlessRefused(runtime, inputs) else { continue }
                let report = ToleranceRule().check(gradients, for: inputs)
                #expect(report.passed, "\(gradients.backendName), \(spec.summary), ×\(amplitude): \(report)", sourceLocation: sourceLocation)
                ran[r] += 1
            }
        }
        #expect(ran.allSatisfy { $0 >= specs.count - refusals }, "backward runs per backend: \(ran) of \(specs.count)", sourceLocation: sourceLocation)
    }

    /// nil where the device refuses the backward.
    static func gradientsUnlessRefused(_ runtime: AttentionRuntime, _ inputs: AttentionGradientInputs) throws -> AttentionGradients? {
        do {
            return try runtime.gradients(inputs)
        } catch {
            if error.isUnsupportedOnDevice { return nil }
            throw error
        }
    }
}
