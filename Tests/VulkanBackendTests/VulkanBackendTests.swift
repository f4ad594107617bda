import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Foundation
import GLSLEmitter
import KernelIR
import KernelLowering
import Testing
import VulkanRuntime

/// One backend (one context and pipeline cache) for every test; the pipeline cache stays in memory.
enum SharedVulkan {
    static let backend: Result<VulkanBackend, AttentionError> = Result { () throws(AttentionError) in
        try VulkanBackend(device: .preferred, pipelineCache: .disabled)
    }

    /// What `backend`'s device offers the strategy sweeps.
    static func limits(_ backend: VulkanBackend) -> DeviceLimits {
        let device = backend.context.device
        return DeviceLimits(
            sharedMemoryBytes: device.maxComputeSharedMemorySize, maxWorkgroupSize: device.maxComputeWorkGroupInvocations,
            subgroupSize: device.shuffleSubgroupSize)
    }
}

/// Runs `spec` on Vulkan; checks the tolerance rule against the float64 reference and the same
/// −inf rows and values as the CPU interpreter.
func checkVulkan(_ spec: AttentionSpec, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let inputs = try randomInputs(spec, seed: seed)
    let result = try SharedVulkan.backend.get().run(inputs)
    let report = ToleranceRule().check(result, for: inputs)
    #expect(report.passed, "\(spec.summary): \(report)", sourceLocation: sourceLocation)
    let cpu = try CPUBackend().run(inputs)
    for (a, b) in zip(result.lse.elements, cpu.lse.elements) where (a == -.infinity) != (b == -.infinity) {
        Issue.record("\(spec.summary): fully masked rows differ from the CPU interpreter", sourceLocation: sourceLocation)
        break
    }
    let gap = zip(result.output.elements, cpu.output.elements).map { abs(Double($0) - Double($1)) }.max() ?? 0
    #expect(gap <= 2 * report.outputBound, "\(spec.summary): differs from the CPU interpreter by \(gap)", sourceLocation: sourceLocation)
}

/// Generated GLSL on lavapipe (a real Vulkan 1.3 device on the CPU).
@Suite struct VulkanBackendTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized

    static var catalogueNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: catalogue.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test(arguments: catalogueNames)
    func catalogueSpecMatchesTheReferenceAndTheInterpreter(file: String) throws {
        let spec = try AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent(file))
        // lavapipe runs the generated shaders at well under 1 GFLOP/s: bigger catalogue specs run
        // with ATTNGEN_LONG_TESTS=1 (their SPIR-V is still compiled and validated).
        guard try LongTests.allow(spec, upToGFLOP: 0.12) else { return }
        try checkVulkan(spec, seed: 3)
    }

    /// Masks, schedules (uneven split-KV and lean), GQA, ragged edges, head dims and 16-bit storage.
    @Test func randomizedSweep() throws {
        let cases: [AttentionSpec] = [
            .attention(batch: 2, heads: 6, kvHeads: 2, headDim: 40, tokens: [37], keyTokens: [53]).masked(.causal).tiled(query: [16], key: [8])
                .scheduled(.splitKV(splits: 3)),
            .attention(heads: 4, kvHeads: 1, headDim: 32, tokens: [30]).masked(.slidingWindow(left: 9, right: 3)).tiled(query: [8], key: [8])
                .scheduled(.lean(workgroups: 7)),
            .attention(heads: 2, headDim: 64, tokens: [11, 13], dtype: .float16)
                .masked(try .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true])).tiled(query: [4, 4], key: [2, 8]),
            .attention(heads: 2, headDim: 32, tokens: [6, 7, 9], dtype: .bfloat16)
                .masked(try .neighborhood(window: [3, 4, 5], stride: [1, 2, 5], causal: [true, false, false])).tiled(query: [2, 2, 4], key: [2, 4, 2])
                .scheduled(.lean(workgroups: 5)),
            .attention(heads: 1, headDim: 128, tokens: [20], keyTokens: [8]).masked(.causal).tiled(query: [8], key: [4]),
        ]
        for (n, spec) in cases.enumerated() { try checkVulkan(spec.validated(), seed: UInt64(50 + n)) }
    }

    /// 4096 keys for one query: a shader that looped over every key and head-dimension element
    /// in one invocation would pass lavapipe's 65,535-iteration cap and be cut off silently.
    @Test func longContextStaysUnderTheLoopCap() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [1], keyTokens: [4096]).tiled(query: [16], key: [64]).validated()
        try checkVulkan(spec, seed: 4)
    }

    @Test func configurationsOverTheLoopCapAreRefused() throws {
        let backend = try SharedVulkan.backend.get()
        guard backend.context.device.isLavapipe else { return }
        let spec = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [1], keyTokens: [1 << 20]).tiled(query: [16], key: [64]).validated()
        let inputs = try AttentionInputs(
            spec: spec, q: Tensor(zeros: spec.problem.queryTensorShape), k: Tensor(zeros: spec.problem.keyTensorShape),
            v: Tensor(zeros: spec.problem.valueTensorShape))
        do {
            _ = try backend.prepare(inputs)
            Issue.record("expected the loop cap to refuse this configuration")
        } catch {
            #expect(error.description.contains("over the device's cap of 65535"))
        }
    }

    /// Tile loops stay real loops (fast JIT) unless the cap needs them unrolled.
    @Test func tileLoopsAreUnrolledOnlyWhenTheCapNeedsIt() throws {
        let short = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [256]).masked(.causal).validated()
        let rolled = try GLSLKernelSource.forLoopCap(65_535, program: KernelProgram(spec: short), plan: TilePlan(short))
        #expect(!rolled.options.unrollTileLoops)
        #expect(rolled.shaders[0].source.contains("for (int x = 0; x < "))
        let long = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [1], keyTokens: [32768]).tiled(query: [16], key: [64]).validated()
        let unrolled = try GLSLKernelSource.forLoopCap(65_535, program: KernelProgram(spec: long), plan: TilePlan(long))
        #expect(unrolled.options.unrollTileLoops)
        #expect(unrolled.loopIterationEstimate() <= 65_535)
        #expect(try !GLSLKernelSource.forLoopCap(nil, program: KernelProgram(spec: long), plan: TilePlan(long)).options.unrollTileLoops)
    }

    @Test func secondRunHitsThePipelineCache() throws {
        let spec = try AttentionSpec(contentsOf: Self.catalogue.appendingPathComponent("decode-gqa-lean.json"))
        let backend = try SharedVulkan.backend.get()
        try checkVulkan(spec, seed: 8)
        let hits = backend.context.cacheStatistics.hits
        try checkVulkan(spec, seed: 9)
        #expect(backend.context.cacheStatistics.hits > hits)
    }

    /// A query tile whose rows alone overflow the device's shared memory is halved until it fits.
    @Test func oversizedQueryTileIsShrunkToFit() throws {
        let backend = try SharedVulkan.backend.get()
        let rows = 256
        let spec = try AttentionSpec.attention(heads: 1, headDim: 64, tokens: [rows]).masked(.causal).tiled(query: [rows], key: [64]).validated()
        let inputs = try randomInputs(spec, seed: 4)
        let prepared = try backend.prepare(inputs)
        #expect(prepared.layout.spec.tiling.queryTile[0] < rows)
        _ = try prepared.dispatch()
        #expect(ToleranceRule().check(try prepared.result(), for: inputs).passed)
    }
}
