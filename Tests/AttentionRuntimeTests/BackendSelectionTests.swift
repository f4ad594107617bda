import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Logging
import Testing

@Suite struct BackendSelectionTests {
    private static let cpuOnly = DeviceInventory(
        vulkan: .devices([DeviceCandidate(api: .vulkan, index: 0, name: "llvmpipe (LLVM 15)", kind: .cpuImplementation)]),
        opencl: .devices([DeviceCandidate(api: .opencl, index: 0, name: "pthread-EPYC (Portable Computing Language)", kind: .cpuImplementation)]))

    /// On a machine whose only OpenCL/Vulkan devices run on the CPU, auto picks the interpreter
    /// and names the reason for each skipped device.
    @Test func autoOnCPUOnlyMachinePicksTheInterpreter() throws {
        let runtime = try AttentionRuntime(.auto, environment: [:], inventory: Self.cpuOnly)
        #expect(runtime.backend.name == "cpu")
        #expect(runtime.selection.forcedBy == nil)
        let skipped = runtime.selection.entries.filter { if case .skipped = $0.verdict { true } else { false } }
        #expect(skipped.map(\.backend).sorted() == ["opencl", "vulkan"])
        #expect(runtime.selection.description.contains("skipped: runs on the CPU, where the CPU interpreter is faster; ask for it with 'vulkan:0'"))
    }

    /// The same on this machine's real inventory: without a GPU, the interpreter.
    @Test func autoOnThisMachine() throws {
        let inventory = DeviceInventory.probe()
        let runtime = try AttentionRuntime(.auto, environment: [:], inventory: inventory)
        if BackendSelector.rank(inventory).devices.isEmpty {
            #expect(runtime.backend.name == "cpu")
            #expect(runtime.selection.chosen.verdict == .chosen)
        } else {
            #expect(["vulkan", "opencl"].contains(runtime.backend.name))
        }
    }

    /// No loader at all is a reason, not an error.
    @Test func missingAPIsAreSkippedWithTheirReason() throws {
        let inventory = DeviceInventory(vulkan: .unavailable(reason: "no ICD"), opencl: .unavailable(reason: "CL_PLATFORM_NOT_FOUND_KHR"))
        let runtime = try AttentionRuntime(.auto, environment: [:], inventory: inventory)
        #expect(runtime.backend.name == "cpu")
        #expect(runtime.selection.skippedSummary.contains("no ICD"))
        #expect(runtime.selection.skippedSummary.contains("CL_PLATFORM_NOT_FOUND_KHR"))
    }

    /// GPUs before accelerators before everything else; Vulkan before OpenCL for the same kind;
    /// CPU implementations and devices without compute are skipped.
    @Test func rankingOrder() {
        let inventory = DeviceInventory(
            vulkan: .devices([
                DeviceCandidate(api: .vulkan, index: 0, name: "iGPU", kind: .integratedGPU),
                DeviceCandidate(api: .vulkan, index: 1, name: "llvmpipe", kind: .cpuImplementation),
                DeviceCandidate(api: .vulkan, index: 2, name: "dGPU", kind: .discreteGPU),
                DeviceCandidate(api: .vulkan, index: 3, name: "broken", kind: .discreteGPU, unusableReason: "no queue family with compute"),
            ]),
            opencl: .devices([
                DeviceCandidate(api: .opencl, index: 0, name: "FPGA", kind: .accelerator),
                DeviceCandidate(api: .opencl, index: 1, name: "dGPU", kind: .otherGPU),
                DeviceCandidate(api: .opencl, index: 2, name: "PoCL", kind: .cpuImplementation),
            ]))
        let ranking = BackendSelector.rank(inventory)
        #expect(ranking.devices.map(\.description) == [
            // The OpenCL "dGPU" is the Vulkan discrete one: it takes that kind.
            "vulkan:2 dGPU (discrete GPU)", "opencl:1 dGPU (discrete GPU)", "vulkan:0 iGPU (integrated GPU)", "opencl:0 FPGA (accelerator)",
        ])
        #expect(ranking.skipped.map(\.device) == ["vulkan:1 llvmpipe (CPU implementation)", "vulkan:3 broken (discrete GPU)", "opencl:2 PoCL (CPU implementation)"])
    }

    /// The same NVIDIA GPU through both APIs: OpenCL takes Vulkan's "discrete" and goes first
    /// (measured faster); an AMD GPU keeps Vulkan first.
    @Test func nvidiaPrefersOpenCLOthersVulkan() {
        let inventory = DeviceInventory(
            vulkan: .devices([
                DeviceCandidate(api: .vulkan, index: 0, name: "NVIDIA H200", kind: .discreteGPU, isNVIDIA: true),
                DeviceCandidate(api: .vulkan, index: 1, name: "AMD Radeon", kind: .integratedGPU),
            ]),
            opencl: .devices([
                DeviceCandidate(api: .opencl, index: 0, name: "AMD Radeon", platform: "AMD APP", kind: .otherGPU),
                DeviceCandidate(api: .opencl, index: 1, name: "NVIDIA H200", platform: "NVIDIA CUDA", kind: .otherGPU, isNVIDIA: true),
            ]))
        #expect(BackendSelector.rank(inventory).devices.map(\.description) == [
            "opencl:1 NVIDIA H200 (NVIDIA CUDA) (discrete GPU)", "vulkan:0 NVIDIA H200 (discrete GPU)",
            "vulkan:1 AMD Radeon (integrated GPU)", "opencl:0 AMD Radeon (AMD APP) (integrated GPU)",
        ])
    }

    /// Under auto, a spec the chosen device cannot run goes to the next backend without any
    /// opt-in; a forced backend raises instead.
    @Test func unsupportedSpecMovesOnUnderAutoOnly() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [12]).validated()
        let inputs = try randomInputs(spec, seed: 5)
        let forced = AttentionRuntime(backend: TooSmallBackend(), fallbacks: [CPUBackend()])
        #expect {
            try forced.run(inputs)
        } throws: { error in
            guard case AttentionError.unsupportedOnDevice = error else { return false }
            return true
        }
        let retrying = AttentionRuntime(backend: TooSmallBackend(), fallbacks: [CPUBackend()], failurePolicy: .retryOnNextBackend)
        #expect(try retrying.run(inputs).backendName == "cpu")
    }

    /// A GPU that is listed but does not open is skipped with the driver's reason; the
    /// interpreter runs instead.
    @Test func gpuThatDoesNotOpenFallsToTheInterpreter() throws {
        let inventory = DeviceInventory(
            vulkan: .devices([DeviceCandidate(api: .vulkan, index: 97, name: "Phantom GPU", kind: .discreteGPU)]),
            opencl: .unavailable(reason: "none"))
        let runtime = try AttentionRuntime(.auto, environment: [:], inventory: inventory)
        #expect(runtime.backend.name == "cpu")
        let phantom = try #require(runtime.selection.entries.first { $0.device.contains("Phantom") })
        guard case .skipped(let reason) = phantom.verdict else {
            Issue.record("expected the phantom GPU to be skipped, got \(phantom.verdict)")
            return
        }
        #expect(reason.hasPrefix("could not open:"))
    }

    @Test func environmentForcesABackend() throws {
        let cpu = try AttentionRuntime(.auto, environment: ["ATTNGEN_BACKEND": "reference"], inventory: Self.cpuOnly)
        #expect(cpu.backend.name == "reference")
        #expect(cpu.selection.forcedBy == "ATTNGEN_BACKEND=reference")
        // An explicit request wins over the environment.
        let explicit = try AttentionRuntime(.cpu, environment: ["ATTNGEN_BACKEND": "reference"], inventory: Self.cpuOnly)
        #expect(explicit.backend.name == "cpu")
        #expect(explicit.selection.forcedBy == "the caller")
        // Empty means unset.
        #expect(try AttentionRuntime(.auto, environment: ["ATTNGEN_BACKEND": " "], inventory: Self.cpuOnly).selection.forcedBy == nil)
    }

    @Test func badOrUnavailableForcedBackendsAreTypedErrors() {
        #expect {
            try AttentionRuntime(.auto, environment: ["ATTNGEN_BACKEND": "cuda"], inventory: Self.cpuOnly)
        } throws: { error in
            guard case AttentionError.invalidBackendSetting(let variable, let value, _) = error else { return false }
            return variable == "ATTNGEN_BACKEND" && value == "cuda"
        }
        #expect {
            try AttentionRuntime(.vulkan(device: "no-such-gpu"), environment: [:], inventory: Self.cpuOnly)
        } throws: { error in
            guard case AttentionError.backendUnavailable(let name, let reason) = error else { return false }
            return name == "vulkan" && reason.contains("no-such-gpu")
        }
        #expect(throws: AttentionError.self) { try BackendRequest(parsing: "opencl:") }
        #expect(throws: AttentionError.self) { try BackendRequest(parsing: "cpu:0") }
        #expect((try? BackendRequest(parsing: " vulkan:NVIDIA ")) == .vulkan(device: "NVIDIA"))
    }

    /// With retries enabled a device failure moves to the next backend and is recorded; without,
    /// the error is raised; a caller's mistake is never retried.
    @Test func retryOnNextBackend() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [20]).masked(.causal).validated()
        let inputs = try randomInputs(spec, seed: 3)
        let retrying = AttentionRuntime(backend: FailingBackend(), fallbacks: [CPUBackend()], failurePolicy: .retryOnNextBackend)
        let result = try retrying.run(inputs)
        #expect(result.backendName == "cpu")
        #expect(result.failedAttempts == ["backend 'flaky-gpu' failed: device lost (simulated)"])
        #expect(ToleranceRule().check(result, for: inputs).passed)

        let raising = AttentionRuntime(backend: FailingBackend(), fallbacks: [CPUBackend()])
        #expect(throws: AttentionError.self) { try raising.run(inputs) }

        let wrongShape = Tensor(zeros: [1, 21, 2, 16])
        #expect {
            try retrying.attention(spec, q: wrongShape, k: inputs.k, v: inputs.v)
        } throws: { error in
            guard case AttentionError.shapeMismatch = error else { return false }
            return true
        }
    }

    /// The choice is logged once at debug level with the backend, the device and the skip reasons.
    @Test func selectionIsLoggedAtDebugLevel() throws {
        let sink = LogSink()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        logger.logLevel = .debug
        _ = try AttentionRuntime(.auto, environment: [:], inventory: Self.cpuOnly, logger: logger)
        let records = sink.records
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.level == .debug)
        #expect(record.message == "attention backend selected")
        #expect(record.metadata["backend"] == "cpu")
        #expect(record.metadata["skipped"]?.contains("llvmpipe") == true)
    }
}

/// A backend whose device cannot run any spec.
struct TooSmallBackend: AttentionBackend {
    let name = "tiny-gpu"
    func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        throw .unsupportedOnDevice(name: name, reason: "needs 107264 bytes of local memory, the device has 49152")
    }
}

/// A backend whose device always fails, to exercise retries.
struct FailingBackend: AttentionBackend {
    let name = "flaky-gpu"
    var device: String { "simulated GPU" }
    func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        throw .backendFailed(name: name, reason: "device lost (simulated)")
    }
}


/// The buffer entry point: zero-copy on the interpreter, the same numbers as the tensor API,
/// and a typed error for a buffer of the wrong size.
@Suite struct CallerBufferTests {
    @Test func buffersGiveTheSameResultAsTensors() throws {
        for dtype in [ElementType.float32, .float16] {
            let spec = try AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [37], dtype: dtype)
                .masked(.slidingWindow(left: 9, right: 2)).tiled(query: [16], key: [16]).validated()
            let inputs = try randomInputs(spec, seed: 21)
            var rng = SeededGenerator(seed: 21)
            let p = spec.problem
            let raw = (q: Tensor.random(shape: p.queryTensorShape, using: &rng), k: Tensor.random(shape: p.keyTensorShape, using: &rng),
                       v: Tensor.random(shape: p.valueTensorShape, using: &rng))
            let runtime = try AttentionRuntime(.cpu, environment: [:])
            let expected = try runtime.run(inputs)
            var output = [Float](repeating: .nan, count: expected.output.elements.count)
            var lse = [Float](repeating: .nan, count: expected.lse.elements.count)
            let ran = try raw.q.elements.withUnsafeBufferPointer { q in
                try raw.k.elements.withUnsafeBufferPointer { k in
                    try raw.v.elements.withUnsafeBufferPointer { v in
                        try output.withUnsafeMutableBufferPointer { o in
                            try lse.withUnsafeMutableBufferPointer { l in
                                try runtime.attention(spec, q: q, k: k, v: v, output: o, lse: l)
                            }
                        }
                    }
                }
            }
            #expect(ran == "cpu")
            #expect(output == expected.output.elements, "\(dtype)")
            #expect(lse == expected.lse.elements, "\(dtype)")
        }
    }

    @Test func wrongBufferSizeIsATypedError() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [8]).validated()
        let runtime = try AttentionRuntime(.cpu, environment: [:])
        let q = [Float](repeating: 0, count: 8 * 2 * 16)
        let short = [Float](repeating: 0, count: 10)
        var output = [Float](repeating: 0, count: 8 * 2 * 16)
        var lse = [Float](repeating: 0, count: 8 * 2)
        #expect {
            try q.withUnsafeBufferPointer { qb in
                try short.withUnsafeBufferPointer { kb in
                    try output.withUnsafeMutableBufferPointer { o in
                        try lse.withUnsafeMutableBufferPointer { l in try runtime.attention(spec, q: qb, k: kb, v: qb, output: o, lse: l) }
                    }
                }
            }
        } throws: { error in
            guard case AttentionError.bufferSizeMismatch(let role, let expected, _, let found) = error else { return false }
            return role == "k" && expected == 256 && found == 10
        }
    }
}
