import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Foundation
import OpenCLEmitter
import OpenCLRuntime
import Testing

/// The OpenCL backend's program cache, error reporting and reuse of prepared runs.
@Suite struct BackendTests {
    @Test func secondRunHitsTheProgramCache() throws {
        // A context of its own, so the counts are this test's alone.
        let backend = try OpenCLBackend(device: .index(0), programCache: .disabled)
        let spec = try AttentionSpec.attention(heads: 2, headDim: 24, tokens: [30]).masked(.causal).tiled(query: [8], key: [8]).validated()
        _ = try backend.run(randomInputs(spec, seed: 1))
        #expect(backend.context.cacheStatistics.sourceBuilds == 1)
        #expect(backend.context.cacheHits == 0)
        _ = try backend.run(randomInputs(spec, seed: 2))
        // Other run-time sizes, same compile-time constants: still the same program.
        let resized = try AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 2, headDim: 24, tokens: [45], keyTokens: [50])
            .masked(.causal).tiled(query: [8], key: [8]).validated()
        try checkResult(backend, resized)
        #expect(backend.context.cacheStatistics.sourceBuilds == 1)
        #expect(backend.context.cacheHits == 2)
        // The repeated spec was not planned or emitted again.
        #expect(backend.prepared.statistics == .init(builds: 2, hits: 1))
    }

    @Test func brokenSourceReportsTheCompilerLog() throws {
        let context = try SharedOpenCL.get().context
        let text = try emitted(AttentionSpec.attention(heads: 1, headDim: 8, tokens: [8]).validated()).programText
        let broken = text.replacingOccurrences(of: "load_element(k, ", with: "load_elemnt(k, ")
        #expect(broken != text)
        let outcome = Result { () throws(OpenCLError) in try context.buildProgram(source: broken) }
        guard case .failure(let error) = outcome, case .buildFailed(_, let log, _) = error else {
            Issue.record("expected buildFailed, got \(outcome)")
            return
        }
        #expect(log.contains("load_elemnt"), "build log: \(log)")
        #expect(error.description.contains("CL_BUILD_PROGRAM_FAILURE") && error.description.contains(log))
    }

    /// A tiling whose work-group does not fit the device's local memory runs with the largest
    /// smaller tiling that fits (the result is the same attention).
    @Test func tooLittleLocalMemoryShrinksTheTiling() throws {
        let backend = try SharedOpenCL.get()
        // PoCL's local memory follows the host's caches (64 KiB to 1 MiB): the head dim grows until the tiling does not fit.
        var headDim = 512
        func spec() throws -> AttentionSpec {
            try AttentionSpec.attention(heads: 1, headDim: headDim, tokens: [256]).tiled(query: [256], key: [256]).validated()
        }
        while try emitted(spec()).configuration.attentionLocalMemoryBytes <= backend.context.device.localMemorySize, headDim < 8192 { headDim *= 2 }
        let spec = try spec()
        #expect(try emitted(spec).configuration.attentionLocalMemoryBytes > backend.context.device.localMemorySize)
        let inputs = try randomInputs(spec, seed: 1)
        let prepared = try backend.prepare(inputs)
        #expect(prepared.layout.spec.tiling != spec.tiling)
        #expect(prepared.layout.launches.allSatisfy { $0.localMemoryBytes <= backend.context.device.localMemorySize })
        _ = try prepared.dispatch()
        #expect(ToleranceRule().check(try prepared.result(), for: inputs).passed)
    }

    /// When not even one query row with a minimal key panel fits, the error names the bytes.
    @Test func noTilingFitsIsATypedError() throws {
        let backend = try SharedOpenCL.get()
        let spec = try AttentionSpec.attention(heads: 1, headDim: 65536, tokens: [64]).tiled(query: [16], key: [64]).validated()
        let inputs = try randomInputs(spec, seed: 1)
        let outcome = Result { () throws(AttentionError) in try backend.prepare(inputs) }
        guard case .failure(let error) = outcome, case .unsupportedOnDevice(let name, let reason) = error else {
            Issue.record("expected unsupportedOnDevice for a work-group larger than local memory, got \(outcome)")
            return
        }
        #expect(name == "opencl")
        #expect(reason.contains("local memory") && reason.contains("no tiling of this head dimension fits"), "\(reason)")
    }

    @Test func unknownDeviceIsUnavailableWithTheOpenCLText() {
        let outcome = Result { () throws(AttentionError) in try OpenCLBackend(device: .name("no-such-device-xyz"), programCache: .disabled) }
        guard case .failure(let error) = outcome, case .backendUnavailable(let name, let reason) = error else {
            Issue.record("expected backendUnavailable for a missing device")
            return
        }
        #expect(name == "opencl")
        #expect(reason.contains("no-such-device-xyz") && reason.contains("CL_DEVICE_NOT_FOUND"), "\(reason)")
    }

    @Test func runtimeSelectsOpenCLByName() throws {
        #expect(AttentionRuntime.backendNames.contains("opencl"))
        let runtime = try AttentionRuntime(backendNamed: "opencl")
        #expect(runtime.backend.name == "opencl")
    }

    @Test func preparedRunDispatchesRepeatedlyWithDeviceTimes() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [40]).masked(.slidingWindow(left: 8, right: 0))
            .tiled(query: [16], key: [16]).scheduled(.lean(workgroups: 4)).validated()
        let inputs = try randomInputs(spec, seed: 9)
        let prepared = try SharedOpenCL.get().prepare(inputs)
        let first = try prepared.dispatch()
        let firstResult = try prepared.result()
        let second = try prepared.dispatch()
        #expect(first > 0 && second > 0)
        #expect(try prepared.result() == firstResult)
        #expect(ToleranceRule().check(firstResult, for: inputs).passed)
    }

    private func checkResult(_ backend: OpenCLBackend, _ spec: AttentionSpec) throws {
        let inputs = try randomInputs(spec, seed: 3)
        let report = ToleranceRule().check(try backend.run(inputs), for: inputs)
        #expect(report.passed, "\(spec.summary): \(report)")
    }
}
