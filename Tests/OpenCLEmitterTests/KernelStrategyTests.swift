import AttentionPlan
import AttentionSpec
import GLSLEmitter
import KernelIR
import KernelLowering
import OpenCLEmitter
import Testing

/// The strategy as data: its compact form, the picker's choices per device, and the row
/// reduction by subgroup shuffles where (and only where) a device offers them.
@Suite struct KernelStrategyTests {
    static let facts = KernelFacts(headDim: 64, valueDim: 64, maxQueryRows: 64, panelKeys: 128, maxKeyRows: 64)
    static let nvidiaVulkan = DeviceLimits(sharedMemoryBytes: 49152, maxWorkgroupSize: 1024, subgroupSize: 32)
    static let lavapipe = DeviceLimits(sharedMemoryBytes: 32768, maxWorkgroupSize: 1024, loopIterationCap: 65535, subgroupSize: 8)
    static let pocl = DeviceLimits(sharedMemoryBytes: 4 << 20, maxWorkgroupSize: 4096, vectorWidth: 16)

    @Test(arguments: [nvidiaVulkan, lavapipe, pocl, .portable])
    func everyCandidateSurvivesItsCompactForm(_ device: DeviceLimits) {
        for strategy in KernelStrategy.candidates(for: device, facts: Self.facts) {
            #expect(KernelStrategy(compact: strategy.compact) == strategy, "\(strategy.compact)")
            #expect(KernelStrategy(compact: strategy.unrolled(true).compact) == strategy.unrolled(true))
        }
    }

    @Test func malformedCompactFormsAreRefused() {
        for text in ["", "16x16", "16x16,4x4,h64", "16x16,4x4,h64,v0", "0x16,4x4,h64,v64", "16x16,4x4,h64,v64,w5", "16x16,4x4,h64,v64,sgx"] {
            #expect(KernelStrategy(compact: text) == nil, "\(text)")
        }
        #expect(KernelStrategy(compact: "16x16,4x4,h64,v64,sg,unrolled")?.reduction == .subgroupShuffle)
    }

    @Test func shufflesAreChosenOnlyWhereTheDeviceOffersThem() throws {
        let gpu = try #require(KernelStrategy.choose(for: Self.nvidiaVulkan, facts: Self.facts))
        #expect(gpu.reduction == .subgroupShuffle && gpu.keyThreads <= 32)
        let plain = try #require(KernelStrategy.choose(for: OpenCLConfiguration.defaultDevice, facts: Self.facts))
        #expect(plain.reduction == .sharedMemory)
        #expect(KernelStrategy.candidates(for: Self.pocl, facts: Self.facts).allSatisfy { $0.reduction == .sharedMemory })
        // lavapipe's 8-lane subgroups are narrower than its 16 key invocations: shared memory.
        let cpu = try #require(KernelStrategy.choose(for: Self.lavapipe, facts: Self.facts))
        #expect(cpu.keyThreads > 8 && cpu.reduction == .sharedMemory)
        #expect(gpu.sharedMemoryBytes(Self.facts) == gpu.reducing(by: .sharedMemory).sharedMemoryBytes(Self.facts) - 4 * gpu.tileRows * gpu.keyThreads)
    }

    /// A CPU Vulkan driver gets one SIMD row per group of query rows (a row's invocations are
    /// one subgroup, reduced by shuffles) and 8×4 micro-tiles; d128's Q alone overflows its 32 KiB.
    @Test func cpuVulkanDriversGetOneSIMDRowPerRowGroup() throws {
        var cpu = Self.lavapipe
        cpu.simdInvocations = 8
        let chosen = try #require(KernelStrategy.choose(for: cpu, facts: Self.facts))
        #expect(chosen.compact == "8x8,8x4,h16,v16,sg")
        let decode = KernelFacts(headDim: 128, valueDim: 128, maxQueryRows: 1, panelKeys: 128, maxKeyRows: 128)
        #expect(KernelStrategy.choose(for: cpu, facts: decode)?.workgroupSize == 8)
        let wide = KernelFacts(headDim: 128, valueDim: 128, maxQueryRows: 64, panelKeys: 128, maxKeyRows: 64)
        #expect(KernelStrategy.choose(for: cpu, facts: wide) == nil)
    }

    @Test func shufflesNeedAPowerOfTwoThatDividesTheSubgroup() {
        let strategy = { (keyThreads: Int) in
            KernelStrategy(rowThreads: 4, keyThreads: keyThreads, rowsPerThread: 16, keysPerThread: 48 / keyThreads, headChunk: 64,
                           valueKeys: 16, reduction: .subgroupShuffle)
        }
        #expect(strategy(8).problem(on: Self.lavapipe) == nil)
        #expect(strategy(16).problem(on: Self.lavapipe) != nil)
        #expect(strategy(6).problem(on: Self.nvidiaVulkan) != nil)
        #expect(strategy(8).problem(on: OpenCLConfiguration.defaultDevice) != nil)
    }

    @Test func emittersRefuseAShuffleStrategyTheTargetCannotRun() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [100]).masked(.causal).validated()
        let plan = try TilePlan(spec)
        let shuffled = try #require(KernelStrategy(compact: "16x16,4x4,h64,v64,sg"))
        #expect(throws: SpecError.self) { try OpenCLKernelSource(program: KernelProgram(spec: spec), plan: plan, strategy: shuffled) }
        #expect(throws: SpecError.self) { try GLSLKernelSource(program: KernelProgram(spec: spec), plan: plan, options: GLSLOptions(strategy: shuffled)) }
        let source = try GLSLKernelSource(
            program: KernelProgram(spec: spec), plan: plan, options: GLSLOptions(sharedMemoryBytes: 49152, strategy: shuffled, subgroupSize: 32))
        let attention = source.shaders[0].programText
        #expect(attention.contains("#extension GL_KHR_shader_subgroup_shuffle : require"))
        #expect(attention.contains("subgroupShuffleXor(row_max0, 8)") && !attention.contains("row_share"))
        #expect(source.configuration.attentionSharedMemoryBytes < shuffled.reducing(by: .sharedMemory).sharedMemoryBytes(source.configuration.facts))
    }

    /// Expanded staging loads stay within `loadExpansion` steps per operand however the passes
    /// nest: d256 on 32 invocations once expanded 4 passes of 128 steps each for K and for V
    /// (600 KB of OpenCL C that PoCL did not finish compiling in 20 minutes).
    @Test func expandedStagingLoadsStayBounded() throws {
        let spec = try AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 256, tokens: [24], keyTokens: [70])
            .tiled(query: [16], key: [32]).validated()
        let strategy = try #require(KernelStrategy(compact: "4x8,4x8,h64,v16,w8"))
        let text = try OpenCLKernelSource(program: KernelProgram(spec: spec), plan: TilePlan(spec), device: Self.pocl, strategy: strategy).programText
        let loads = text.components(separatedBy: "const int e = ").count - 1
        #expect(loads <= 2 * AttentionKernelLowering.loadExpansion + 2, "\(loads) expanded load steps")
        #expect(text.contains("for (int chunk = 0; chunk < 256; chunk += 64)") && text.contains("for (int part = 0; part < 64; part += 16)"))
    }
}
