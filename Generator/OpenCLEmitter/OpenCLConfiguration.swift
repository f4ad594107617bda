import AttentionPlan
import AttentionSpec
import AttentionTensors
import KernelIR
import KernelLowering

/// The compile-time constants of the generated OpenCL C: everything that is a `#define` in the
/// source. Two specs with equal configurations compile to the same program text (the sizes,
/// the scale and the plan travel as kernel arguments), so a driver's program cache serves both.
public struct OpenCLConfiguration: Hashable, Sendable, KernelFactsProviding {
    /// Head dims, the largest tiles and the panel width, read from the plan.
    public let facts: KernelFacts
    /// How the attention kernel runs on the device (its work-group size is the local size every
    /// kernel of the program requires).
    public let strategy: KernelStrategy
    public let dtype: ElementType
    /// The output tensor's type: the kernels narrow float32 results to it as they store them.
    public let outputDtype: ElementType
    /// The mask's compile-time part: its kind and parameters (a block-sparse mask's block list is run-time data).
    public let mask: MaskLowering
    /// The spec's softcap and ALiBi slopes (compile-time constants).
    public let scores: ScoreLowering

    /// The strategy is `strategy`, or the one `KernelStrategy.choose` picks for `device`; when
    /// none fits the device, the smallest, so that the host sees the shortfall and shrinks the tiling.
    public init(program: KernelProgram, plan: TilePlan, device: DeviceLimits = Self.defaultDevice, strategy: KernelStrategy? = nil) {
        let facts = KernelFacts(plan: plan)
        self.facts = facts
        dtype = program.spec.problem.dtype
        outputDtype = program.spec.problem.outputDtype
        mask = MaskLowering(mask: program.spec.mask, rank: program.spec.problem.rank)
        scores = ScoreLowering(program.spec)
        self.strategy = strategy ?? KernelStrategy.choose(for: device, facts: facts)
            ?? KernelStrategy.candidates(for: device, facts: facts).min { $0.sharedMemoryBytes(facts) < $1.sharedMemoryBytes(facts) }!
    }

    /// NVIDIA's 48 KiB of local memory (AMD and Intel offer 64 KiB) and 256 work-items.
    public static let defaultDevice = DeviceLimits(sharedMemoryBytes: 49152, maxWorkgroupSize: 256)

    public var workgroupSize: Int { strategy.workgroupSize }

    /// The `#define`s of the configuration section, in source order.
    var defines: [(name: String, value: Int, comment: String)] {
        [
            ("HEAD_DIM", headDim, "query/key head dimension"),
            ("VALUE_DIM", valueDim, "value head dimension"),
            ("MAX_QUERY_ROWS", maxQueryRows, "tokens of the largest query tile"),
            ("MAX_KEY_ROWS", maxKeyRows, "tokens of the largest key tile"),
            ("PANEL_KEYS", panelKeys, "key rows one panel of consecutive visits holds"),
            ("WG_SIZE", workgroupSize, "work-items per work-group"),
        ] + lowering(flash: true, maskFunction: "").constants
    }

    /// The one lowering of this configuration's kernels in OpenCL C.
    func lowering(flash: Bool, maskFunction: String) -> AttentionKernelLowering {
        AttentionKernelLowering(
            dialect: .openCL, strategy: strategy, facts: facts, flash: flash, maskFunction: maskFunction, scores: scores,
            output: OutputStorage(outputDtype, dialect: .openCL))
    }

    /// Bytes of `__local` memory one attention work-group uses.
    public var attentionLocalMemoryBytes: Int { strategy.sharedMemoryBytes(facts) }
}
