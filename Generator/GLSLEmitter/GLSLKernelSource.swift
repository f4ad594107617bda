import AttentionPlan
import AttentionSpec
import KernelIR
import KernelLowering
import OpenCLEmitter

/// GLSL 450 compute shaders for a kernel program (one `.comp` per kernel, in dispatch order),
/// with everything a Vulkan host needs to run them: the storage buffers and their bindings,
/// the push-constant block with its values, specialization constants, local size and dispatch
/// sizes. Deterministic: the same spec and options give the same text.
///
/// Each shader's `programText` holds only what the configuration decides (`GLSLConfiguration`),
/// so specs that agree on it share one SPIR-V module; `source` prefixes a header comment.
public struct GLSLKernelSource: Sendable {
    public let spec: AttentionSpec
    public let options: GLSLOptions
    public let configuration: GLSLConfiguration
    /// The plan tables (unpacked); `planWords` is what the `plan` buffer holds.
    public let tables: OpenCLPlanTables
    /// The shaders in dispatch order. Record them into one command buffer with a compute-to-compute
    /// buffer barrier (shader write -> shader read) between them; no host synchronisation.
    public let shaders: [GLSLShader]
    /// Every buffer some shader binds, by binding number.
    public let buffers: [GLSLBufferBinding]
    /// The push-constant block, the same for every shader of the program (one pipeline layout).
    public let pushConstants: [GLSLPushConstant]
    /// The packed plan buffer's contents (binding 5).
    public let planWords: [Int32]
    let plan: PlanSummary
    /// Push-constant name, word offset, length and meaning of each table in `planWords`.
    let planLayout: [(name: String, base: Int, count: Int, summary: String)]

    /// The loop-iteration cap of Mesa's lavapipe: an invocation silently stops after this many
    /// loop iterations in total.
    public static let lavapipeLoopIterationCap = 65_535

    /// Fixed binding numbers, the same in every program.
    public static let bindingNumbers: [String: Int] = [
        "q": 0, "k": 1, "v": 2, "output": 3, "lse": 4, "plan": 5, "partial_m": 6, "partial_l": 7, "partial_acc": 8, "bias": 9,
    ]

    /// Lowers `program` over `plan` (both of the same spec). Throws when the problem is too large
    /// for the shaders' 32-bit indices or its query tile does not fit the shared-memory budget.
    public init(program: KernelProgram, plan: TilePlan, options: GLSLOptions = GLSLOptions()) throws(SpecError) {
        let spec = program.spec
        self.spec = spec
        self.options = options
        try Self.checkIndexRange(plan)
        let configuration = try GLSLConfiguration(program: program, plan: plan, options: options)
        self.configuration = configuration
        let tables = OpenCLPlanTables(plan: plan)
        self.tables = tables
        self.plan = plan.summary()
        let flash = spec.schedule == .flash
        let packed = GLSLPlanBuffer(tables: tables, segmentTable: !flash, maskTable: configuration.mask.readsMaskTable)
        planWords = packed.words
        planLayout = packed.bases
        let partition = WorkPartition(plan: plan)
        pushConstants = Self.pushConstants(
            spec: spec, queryTiles: plan.queryTiles.count, packed: packed,
            extra: spec.schedule == .flash ? [] : [("int", "segment_groups", .int(partition.workgroupCount), "work-groups of the segment table")])

        let lowering = GLSLKernelLowering(spec: spec, configuration: configuration)
        let catalog = GLSLBufferCatalog(spec: spec, configuration: configuration, planWords: packed.words, partition: partition)
        let estimate = LoopEstimate(plan: plan, strategy: configuration.strategy, facts: configuration.facts)
        let outputTiles = partition.outputTileCount
        var used: Set<String> = []
        var shaders: [GLSLShader] = []
        for kernel in program.kernels {
            let role = lowering.role(of: kernel)
            let names = lowering.bufferNames(of: kernel)
            used.formUnion(names)
            let bindings = names.compactMap { catalog.binding($0) }.sorted { $0.binding < $1.binding }
            let workgroups = kernel.workgroups.count(outputTiles: outputTiles)
            let programText = [
                GLSLPreamble.version(
                    sixteenBitStorage: configuration.sixteenBitStorage && role == .attention,
                    subgroupShuffle: configuration.strategy.reduction == .subgroupShuffle && role == .attention,
                    matrix: role == .attention ? configuration.strategy.matrix : nil),
                GLSLPreamble.configuration(configuration),
                GLSLPreamble.pushConstants(pushConstants),
                GLSLPreamble.buffers(bindings, readsPartials: role == .merge, dtype: configuration.dtype, sixteenBitStorage: configuration.sixteenBitStorage,
                    output: OutputStorage(configuration.outputDtype, dialect: .glsl)),
                lowering.body(of: kernel),
            ].filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
            let emittedText = programText
            let x = min(max(workgroups, 1), 65_535)
            shaders.append(GLSLShader(
                name: kernel.name, source: "", programText: emittedText, localSize: configuration.workgroupSize,
                workgroups: workgroups, groupCount: [x, (workgroups + x - 1) / x, 1],
                workgroupFormula: kernel.workgroups.formula, bindings: bindings.map(\.binding),
                specializationConstants: role == .attention ? configuration.mask.parameters : [],
                sharedMemoryBytes: role == .attention ? configuration.attentionSharedMemoryBytes : 0,
                loopIterations: role == .attention ? estimate.attention(flash: flash) : estimate.merge))
        }
        buffers = catalog.all.filter { used.contains($0.name) }
        let summary = self.plan
        self.shaders = shaders.map { shader in
            let header = GLSLSourceHeader.text(spec: spec, plan: plan, summary: summary, shader: shader, shaders: shaders, options: options)
            return GLSLShader(
                name: shader.name, source: header + shader.programText, programText: shader.programText, localSize: shader.localSize,
                workgroups: shader.workgroups, groupCount: shader.groupCount, workgroupFormula: shader.workgroupFormula,
                bindings: shader.bindings, specializationConstants: shader.specializationConstants,
                sharedMemoryBytes: shader.sharedMemoryBytes, loopIterations: shader.loopIterations)
        }
    }

    /// The shader of kernel `name`.
    public func shader(_ name: String) -> GLSLShader? { shaders.first { $0.name == name } }

    /// Worst-case loop iterations of one invocation after unrolling: of shader `name`, or the
    /// largest over the program. A host on lavapipe should refuse a program whose count exceeds
    /// `lavapipeLoopIterationCap` (the shader would silently stop early) and use another backend.
    public func loopIterationEstimate(kernel name: String? = nil) -> Int {
        shaders.filter { name == nil || $0.name == name }.map(\.loopIterations).max() ?? 0
    }

    /// Loop-iteration estimate without emitting the shaders (same rule as `loopIterationEstimate`).
    public static func loopIterationEstimate(program: KernelProgram, plan: TilePlan, options: GLSLOptions = GLSLOptions()) throws(SpecError) -> Int {
        try GLSLKernelSource(program: program, plan: plan, options: options).loopIterationEstimate()
    }

    /// Emits for a device with a loop cap (`nil`: none): tile loops stay real loops unless the
    /// shaders would then pass the cap, in which case they are unrolled; a configuration that
    /// passes the cap even unrolled is a `SpecError` naming the shader.
    public static func forLoopCap(
        _ cap: Int?, program: KernelProgram, plan: TilePlan, options: GLSLOptions = GLSLOptions()
    ) throws(SpecError) -> GLSLKernelSource {
        var rolled = options
        rolled.unrollTileLoops = false
        let source = try GLSLKernelSource(program: program, plan: plan, options: rolled)
        guard let cap, source.loopIterationEstimate() > cap else { return source }
        var unrolled = options
        unrolled.unrollTileLoops = true
        let fallback = try GLSLKernelSource(program: program, plan: plan, options: unrolled)
        try fallback.checkLoopIterations(cap: cap)
        return fallback
    }

    /// Throws a `SpecError` naming the shader when its loop count would pass `cap`.
    public func checkLoopIterations(cap: Int = lavapipeLoopIterationCap) throws(SpecError) {
        for shader in shaders where shader.loopIterations > cap {
            throw .invalidValue(
                field: "schedule", value: GLSLSourceHeader.scheduleName(spec.schedule),
                reason: "\(shader.name) would run up to \(shader.loopIterations) loop iterations per invocation, over the device's cap of \(cap) "
                    + "(use more work-groups or larger key tiles)")
        }
    }

    /// The push-constant block every program of a spec shares: sizes, `extra` members (the
    /// forward's segment table, the backward's key tiles), the scale, the mask's grid sizes and
    /// the plan tables' offsets, 4 bytes each in order.
    static func pushConstants(
        spec: AttentionSpec, queryTiles: Int, packed: GLSLPlanBuffer, extra: [(String, String, GLSLPushValue, String)]
    ) -> [GLSLPushConstant] {
        let p = spec.problem
        var members: [(String, String, GLSLPushValue, String)] = [
            ("int", "batch", .int(p.batch), "batch size"),
            ("int", "heads", .int(p.heads), "query heads"),
            ("int", "kv_heads", .int(p.kvHeads), "key/value heads (GQA: heads is a multiple)"),
            ("int", "query_tokens", .int(p.queryTokens), "flat query grid size (Sq)"),
            ("int", "key_tokens", .int(p.keyTokens), "flat key grid size (Sk)"),
            ("int", "query_tiles", .int(queryTiles), "query tiles per (batch, head)"),
        ] + extra
        members.append(("float", "scale", .float(Float(p.effectiveScale)), "softmax scale applied to Q*K^T"))
        members += MaskLowering(mask: spec.mask, rank: p.rank).sizes(for: p).map { ("int", $0.name, .int($0.value), "mask: tokens of the grid on axis \($0.name.last!)") }
        members += packed.bases.map { ("int", $0.name, .int($0.base), "plan_data offset of " + $0.name.dropLast(5)) }
        return members.enumerated().map { index, member in
            GLSLPushConstant(offset: 4 * index, type: member.0, name: member.1, value: member.2, comment: member.3)
        }
    }

    static func checkIndexRange(_ plan: TilePlan) throws(SpecError) {
        let p = plan.spec.problem
        let limit = Int(Int32.max)
        let elements = Int(UInt32.max)
        for (field, count, bound, what) in [
            ("problem.batch", p.batch, limit, "32-bit indices"), ("problem.heads", p.heads, limit, "32-bit indices"),
            ("problem.queryShape", p.queryTokens, limit, "32-bit indices"), ("problem.keyShape", p.keyTokens, limit, "32-bit indices"),
            ("tiling", 2 * plan.queryTiles.count * plan.keyTiles.count, limit, "32-bit indices"),
            ("problem", p.queryTensorShape.reduce(1, *), elements, "32-bit element indices of q"),
            ("problem", p.keyTensorShape.reduce(1, *), elements, "32-bit element indices of k"),
            ("scores.bias", plan.spec.scores.bias?.shape(for: p).reduce(1, *) ?? 0, elements, "32-bit element indices of the bias"),
            ("problem", p.outputTensorShape.reduce(1, *), elements, "32-bit element indices of the output"),
        ] where count > bound {
            throw .invalidValue(field: field, value: "\(count) entries", reason: "exceeds the GLSL shaders' \(what) (at most \(bound))")
        }
    }
}
