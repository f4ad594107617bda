import AttentionPlan
import AttentionSpec
import KernelLowering
import OpenCLEmitter

/// GLSL 450 compute shaders for the backward pass of a spec (`GradientKernelLowering`'s three
/// kernels, one `.comp` each, in dispatch order), with the bindings, push constants and dispatch
/// sizes a Vulkan host needs. q, k and v are read in the storage type (16-bit types as packed
/// words), the forward's output and lse and the upstream gradient as float32.
public struct GLSLGradientSource: Sendable {
    public let spec: AttentionSpec
    public let shaders: [GLSLShader]
    public let buffers: [GLSLBufferBinding]
    public let pushConstants: [GLSLPushConstant]
    public let planWords: [Int32]
    /// Push-constant name, word offset, length and meaning of each table in `planWords`.
    let planLayout: [(name: String, base: Int, count: Int, summary: String)]

    public static let manifestFormat = "attentiongen-glsl-backward-manifest/1"

    /// The manifest naming each shader's files (kernel name -> file name; SPIR-V files too).
    public func manifest(sourceFiles: [String: String], spirvFiles: [String: String] = [:]) -> JSONValue {
        .object([
            "format": .string(Self.manifestFormat),
            "language": .string("GLSL 450 compute (Vulkan 1.1, SPIR-V 1.3); entry point main"),
            "compile": .string("glslangValidator -V --target-env vulkan1.1 FILE.comp -o FILE.spv"),
            "spec": spec.jsonValue,
            "summary": .string(spec.summary),
            "dtype": .string(spec.problem.dtype.rawValue),
            "descriptorSet": .number(0),
            "planTables": .array(planLayout.map { table in
                .object(["pushConstant": .string(table.name), "offset": .number(Double(table.base)), "count": .number(Double(table.count)),
                         "description": .string(table.summary)])
            }),
            "bindings": .array(buffers.map { $0.manifestJSON(usedBy: shaders) }),
            "pushConstants": .object([
                "size": .number(Double(4 * pushConstants.count)), "stages": .string("COMPUTE"),
                "members": .array(pushConstants.map(\.manifestJSON)),
            ]),
            "shaders": .array(shaders.map { $0.manifestJSON(source: sourceFiles[$0.name], spirv: spirvFiles[$0.name]) }),
            "dispatchNotes": .string(
                "One descriptor set with every binding and one pipeline layout serve all shaders. Fill output and lse from the "
                    + "forward pass and dout with the upstream gradient, push the constants, dispatch in this order with a "
                    + "compute-to-compute buffer barrier between dispatches, and read back dq, dk and dv after the last."),
        ])
    }

    /// Fixed binding numbers of the backward program (q … plan as in the forward's).
    public static let bindingNumbers: [String: Int] = [
        "q": 0, "k": 1, "v": 2, "output": 3, "lse": 4, "plan": 5, "dout": 6, "row_dot": 7, "dq": 8, "dk": 9, "dv": 10,
    ]

    public init(plan: TilePlan) throws(SpecError) {
        let spec = plan.spec
        let p = spec.problem
        self.spec = spec
        try GradientKernelLowering.checkSupported(spec)
        try GLSLKernelSource.checkIndexRange(plan)
        let facts = KernelFacts(plan: plan)
        let mask = MaskLowering(mask: spec.mask, rank: p.rank)
        let scores = ScoreLowering(spec)
        let lowering = GradientKernelLowering(dialect: .glsl, facts: facts, maskFunction: mask.functionName, scores: scores)
        let transposed = GradientPlanTables(plan: plan)
        let packed = GLSLPlanBuffer(
            tables: OpenCLPlanTables(plan: plan), segmentTable: false, maskTable: mask.readsMaskTable, transposed: transposed)
        planWords = packed.words
        planLayout = packed.bases
        let (queryTiles, keyTiles) = (plan.queryTiles.count, plan.keyTiles.count)
        pushConstants = GLSLKernelSource.pushConstants(
            spec: spec, queryTiles: queryTiles, packed: packed, extra: [("int", "key_tiles", .int(keyTiles), "key tiles per (batch, kv head)")])
        let buffers = Self.catalog(spec: spec, planWords: packed.words)
        self.buffers = buffers
        let storageType = p.dtype == .float32 ? "float" : "uint"
        let preamble = [
            "#version 450",
            """
            // ---- Configuration: compile-time constants ---------------------------------------------------
            // The backward pass (FlashAttention-2's) over the tile plan and its transpose. Sizes, the scale and
            // the plan's offsets are push constants; all arithmetic is float32 whatever the storage type.
            \(KernelDialect.glsl.constants(lowering.constants))

            layout(local_size_x = WG_SIZE) in;

            #define NEG_INF uintBitsToFloat(0xff800000u)
            """,
            GLSLPreamble.pushConstants(pushConstants),
        ]
        var shaders: [GLSLShader] = []
        for (number, kernel) in GradientKernelLowering.Kernel.allCases.enumerated() {
            let (names, written): ([String], Set<String>) = switch kernel {
            case .rowDot: (["output", "dout", "row_dot"], ["row_dot"])
            case .keyValue: (["q", "k", "v", "lse", "plan", "dout", "row_dot", "dk", "dv"], ["dk", "dv"])
            case .query: (["q", "k", "v", "lse", "plan", "dout", "row_dot", "dq"], ["dq"])
            }
            let declarations = names.compactMap { name in buffers.first { $0.name == name } }.map { b in
                GLSLPreamble.declaration(b, readOnly: !written.contains(b.name), glslType: ["q", "k", "v"].contains(b.name) ? storageType : nil)
            }
            let tensors = names.filter { ["q", "k", "v"].contains($0) }
            let programText = (preamble + [
                "// ---- Buffers (descriptor set 0) ------------------------------------------------------------------\n"
                    + declarations.joined(separator: "\n"),
            ] + (tensors.isEmpty ? [] : [GLSLPreamble.storage(tensors, dtype: p.dtype, sixteenBitStorage: false)])
                + (kernel == .rowDot ? [] : ["// ---- Mask predicate ------------------------------------------------------------------------------\n"
                    + mask.source(.glsl)] + scores.section(.glsl)) + [
                GLSLKernelLowering.mainText(name: kernel.rawValue, body: lowering.body(kernel)),
            ]).joined(separator: "\n\n") + "\n"
            let workgroups = lowering.workgroups(kernel, problem: p, queryTiles: queryTiles, keyTiles: keyTiles)
            let x = min(workgroups, 65_535)
            let header = "// Backward pass of \(spec.summary): shader \(kernel.rawValue), \(number + 1) of \(GradientKernelLowering.Kernel.allCases.count).\n"
                + "// Inputs: q, k, v, the forward's output and lse, dout; outputs dq, dk, dv (float32).\n"
            shaders.append(GLSLShader(
                name: kernel.rawValue, source: header + programText, programText: programText, localSize: GradientKernelLowering.workgroupSize,
                workgroups: workgroups, groupCount: [x, (workgroups + x - 1) / x, 1],
                workgroupFormula: GradientKernelLowering.workgroupFormula(kernel),
                bindings: names.compactMap { Self.bindingNumbers[$0] }.sorted(),
                specializationConstants: kernel == .rowDot ? [] : mask.parameters, sharedMemoryBytes: 0,
                loopIterations: lowering.loopIterations(
                    kernel, headsPerKVHead: p.headsPerKVHead, maxVisitors: transposed.maxVisitors, maxVisits: transposed.maxVisits)))
        }
        self.shaders = shaders
    }

    /// Worst-case loop iterations of one invocation, over the program's shaders.
    public var loopIterationEstimate: Int { shaders.map(\.loopIterations).max() ?? 0 }

    private static func catalog(spec: AttentionSpec, planWords: [Int32]) -> [GLSLBufferBinding] {
        let p = spec.problem
        func buffer(_ name: String, _ role: GLSLBufferRole, _ type: String, _ shape: [Int], _ summary: String) -> GLSLBufferBinding {
            let count = max(1, shape.reduce(1, *))
            let bytes = type == "float32" ? 4 * count : max(4, (count * 2 + 3) / 4 * 4)
            return GLSLBufferBinding(
                binding: bindingNumbers[name]!, name: name, role: role, elementType: type, glslType: "float", count: count,
                byteCount: bytes, shape: shape, contents: nil, summary: summary)
        }
        let storage = p.dtype.rawValue
        return [
            buffer("q", .input, storage, p.queryTensorShape, "queries [batch, *queryShape, heads, headDim], \(storage)"),
            buffer("k", .input, storage, p.keyTensorShape, "keys [batch, *keyShape, kvHeads, headDim], \(storage)"),
            buffer("v", .input, storage, p.valueTensorShape, "values [batch, *keyShape, kvHeads, valueDim], \(storage)"),
            buffer("output", .input, "float32", p.outputTensorShape, "the forward's output, float32"),
            buffer("lse", .input, "float32", p.lseTensorShape, "the forward's log-sum-exp, float32"),
            GLSLBufferBinding(
                binding: bindingNumbers["plan"]!, name: "plan", role: .plan, elementType: "int32", glslType: "int", count: planWords.count,
                byteCount: 4 * planWords.count, shape: nil, contents: planWords,
                summary: "the plan tables and their transpose, packed; push constant <table>_base is each table's word offset"),
            buffer("dout", .input, "float32", p.outputTensorShape, "gradient of the output, float32"),
            buffer("row_dot", .scratch, "float32", p.lseTensorShape, "D = rowsum(dout * output) per (batch, query, head)"),
            buffer("dq", .output, "float32", p.queryTensorShape, "dQ, float32"),
            buffer("dk", .output, "float32", p.keyTensorShape, "dK, float32, summed over the query heads of a kv head"),
            buffer("dv", .output, "float32", p.valueTensorShape, "dV, float32, summed likewise"),
        ]
    }
}
