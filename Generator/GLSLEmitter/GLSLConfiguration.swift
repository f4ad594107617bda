import AttentionPlan
import AttentionSpec
import AttentionTensors
import KernelIR
import KernelLowering

/// What a Vulkan host tells the emitter about its device.
public struct GLSLOptions: Hashable, Sendable {
    /// The device's `maxComputeWorkGroupInvocations` (the strategy's work-group stays within it).
    public var maxWorkgroupSize: Int
    /// The device's `maxComputeSharedMemorySize`: the strategy is chosen to fit it (32 KiB is
    /// lavapipe's limit and what most devices offer; Vulkan guarantees 16 KiB).
    public var sharedMemoryBytes: Int
    /// Read float16 / bfloat16 tensors as `float16_t` / `uint16_t` arrays
    /// (`GL_EXT_shader_16bit_storage`). Set only when the device reports
    /// `storageBuffer16BitAccess`; by default 16-bit elements are read in pairs from `uint`
    /// words, which needs no optional feature. The buffers' bytes are the same either way.
    public var sixteenBitStorage: Bool
    /// Mark every tile loop `[[unroll]]` (the strategy's `unrolled`). Unrolled, an invocation
    /// runs only the plan's loops, which keeps it under lavapipe's loop cap on long sequences,
    /// but llvmpipe's JIT then takes much longer; `GLSLKernelSource.forLoopCap` chooses per device.
    public var unrollTileLoops: Bool
    /// A strategy to use instead of the one `KernelStrategy.choose` picks (its `unrolled` is
    /// replaced by `unrollTileLoops`).
    public var strategy: KernelStrategy?
    /// A CPU driver's SIMD width in invocations (lavapipe: its subgroup size), or nil for a GPU;
    /// see `DeviceLimits.simdInvocations`.
    public var simdInvocations: Int?
    /// The device's subgroup size when compute shaders may use subgroup shuffles (then the
    /// strategy may reduce rows by shuffles), else nil.
    public var subgroupSize: Int?
    /// The device's cooperative matrices (the picker prefers them for 16-bit storage), or nil.
    public var cooperativeMatrix: CooperativeMatrixSupport?

    public init(
        maxWorkgroupSize: Int = 256, sharedMemoryBytes: Int = 32768, sixteenBitStorage: Bool = false, unrollTileLoops: Bool = true,
        strategy: KernelStrategy? = nil, simdInvocations: Int? = nil, subgroupSize: Int? = nil, cooperativeMatrix: CooperativeMatrixSupport? = nil
    ) {
        self.cooperativeMatrix = cooperativeMatrix
        self.subgroupSize = subgroupSize
        self.simdInvocations = simdInvocations
        self.maxWorkgroupSize = maxWorkgroupSize
        self.sharedMemoryBytes = sharedMemoryBytes
        self.sixteenBitStorage = sixteenBitStorage
        self.unrollTileLoops = unrollTileLoops
        self.strategy = strategy
    }

    public var device: DeviceLimits {
        DeviceLimits(
            sharedMemoryBytes: sharedMemoryBytes, maxWorkgroupSize: maxWorkgroupSize, simdInvocations: simdInvocations,
            subgroupSize: subgroupSize, cooperativeMatrix: cooperativeMatrix)
    }
}

/// The compile-time constants of the generated GLSL: everything that is a `const` in the shader
/// text. Specs with equal configurations share the same shaders (sizes, scale and plan offsets
/// are push constants, the plan is a buffer, the mask parameters are specialization constants).
public struct GLSLConfiguration: Hashable, Sendable, KernelFactsProviding {
    /// Head dims, the largest tiles and the panel width, read from the plan.
    public let facts: KernelFacts
    /// How the attention shader runs on the device.
    public let strategy: KernelStrategy
    public let dtype: ElementType
    /// The output tensor's type: the kernels narrow float32 results to it as they store them.
    public let outputDtype: ElementType
    public let sixteenBitStorage: Bool
    /// The mask's compile-time part (its kind, rank and the specialization constants' defaults).
    public let mask: MaskLowering
    /// The spec's softcap and ALiBi slopes (compile-time constants).
    public let scores: ScoreLowering

    /// Throws `SpecError` naming the query tile when no strategy fits the shared-memory budget.
    public init(program: KernelProgram, plan: TilePlan, options: GLSLOptions = GLSLOptions()) throws(SpecError) {
        let p = program.spec.problem
        let facts = KernelFacts(plan: plan)
        self.facts = facts
        dtype = p.dtype
        outputDtype = p.outputDtype
        sixteenBitStorage = options.sixteenBitStorage && p.dtype != .float32
        mask = MaskLowering(mask: program.spec.mask, rank: p.rank)
        scores = ScoreLowering(program.spec)
        try options.strategy?.check(facts, on: options.device)
        guard let chosen = options.strategy ?? KernelStrategy.choose(for: options.device, facts: facts) else {
            let needed = KernelStrategy.candidates(for: options.device, facts: facts).map { $0.sharedMemoryBytes(facts) }.min() ?? 0
            throw .invalidValue(
                field: "tiling.queryTile", value: spacedGrid(program.spec.tiling.queryTile),
                reason: "\(facts.maxQueryRows) query rows of headDim \(facts.headDim) need at least \(needed) bytes of shared memory; "
                    + "the device has \(options.sharedMemoryBytes) (use a smaller query tile)")
        }
        strategy = chosen.unrolled(options.unrollTileLoops)
    }

    public var workgroupSize: Int { strategy.workgroupSize }

    /// Bytes of shared memory one attention work-group uses.
    public var attentionSharedMemoryBytes: Int { strategy.sharedMemoryBytes(facts) }

    /// The one lowering of this configuration's shaders in GLSL.
    func lowering(flash: Bool) -> AttentionKernelLowering {
        AttentionKernelLowering(
            dialect: .glsl, strategy: strategy, facts: facts, flash: flash, maskFunction: mask.functionName, scores: scores,
            output: OutputStorage(outputDtype, dialect: .glsl))
    }

    /// The shaders' `const int`s, in source order.
    var constants: [(name: String, value: Int, comment: String)] {
        [
            ("HEAD_DIM", headDim, "query/key head dimension"),
            ("VALUE_DIM", valueDim, "value head dimension"),
            ("MAX_QUERY_ROWS", maxQueryRows, "tokens of the largest query tile"),
            ("MAX_KEY_ROWS", maxKeyRows, "tokens of the largest key tile"),
            ("PANEL_KEYS", panelKeys, "key rows one panel of consecutive visits holds"),
            ("WG_SIZE", workgroupSize, "invocations per work-group"),
        ] + lowering(flash: true).constants
    }
}

func spacedGrid(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
