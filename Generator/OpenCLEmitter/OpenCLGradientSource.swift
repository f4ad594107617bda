import AttentionPlan
import AttentionSpec
import KernelIR
import KernelLowering

/// OpenCL C 1.2 for the backward pass of a spec (`GradientKernelLowering`'s three kernels), with
/// the dispatch sequence and the buffers a host binds: q, k, v in the storage type; the
/// forward's output and lse and the upstream gradient dout as float32; dq, dk, dv written;
/// the plan and its transpose as tables. The text depends only on the compile-time constants,
/// so specs that share them share one program.
public struct OpenCLGradientSource: Sendable {
    public let spec: AttentionSpec
    public let launches: [OpenCLKernelLaunch]
    public let buffers: [OpenCLBufferSpecification]
    public let programText: String
    /// The compile-time constants of `programText`.
    public let constants: [(name: String, value: Int, comment: String)]
    let maskFunction: String

    public static let manifestFormat = "attentiongen-opencl-backward-manifest/1"

    /// The full `.cl` file: a comment naming the spec and the dispatch sequence, then the program text.
    public var source: String {
        let kernels = launches.map { "\($0.kernel): \($0.workgroups) work-groups of \($0.localSize) (\($0.workgroupFormula))" }
        return "/* Backward pass of \(spec.summary).\n   Kernels, in dispatch order:\n" + kernels.map { "     " + $0 }.joined(separator: "\n")
            + "\n   Inputs: q, k, v, the forward's output and lse, dout; outputs dq, dk, dv (float32). */\n" + programText
    }

    /// The manifest naming the `.cl` file it belongs to: kernels with their arguments, the dispatch
    /// sequence and the buffers with the plan data, for a host without Swift.
    public func manifest(sourceFile: String?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "format": .string(Self.manifestFormat),
            "language": .string("OpenCL C 1.2"),
            "buildOptions": .string(""),
            "spec": spec.jsonValue,
            "summary": .string(spec.summary),
            "constants": .object(Dictionary(uniqueKeysWithValues: constants.map { ($0.name, .number(Double($0.value))) })),
            "dtype": .string(spec.problem.dtype.rawValue),
            "mask": .object(["kind": .string(spec.mask.kind), "predicate": .string(maskFunction)]),
            "kernels": .array(launches.map(\.manifestJSON)),
            "dispatch": .array(launches.map(\.dispatchJSON)),
            "dispatchNotes": .string(
                "Enqueue in this order on one in-order queue; no host synchronisation is needed in between. "
                    + "Fill output and lse from the forward pass and dout with the upstream gradient; read back dq, dk and dv after the last kernel."),
            "buffers": .array(buffers.map(\.manifestJSON)),
        ]
        if let sourceFile { fields["sourceFile"] = .string(sourceFile) }
        return .object(fields)
    }

    public init(plan: TilePlan) throws(SpecError) {
        let spec = plan.spec
        let p = spec.problem
        self.spec = spec
        try GradientKernelLowering.checkSupported(spec)
        try OpenCLKernelSource.checkIndexRange(plan)
        let facts = KernelFacts(plan: plan)
        let mask = MaskLowering(mask: spec.mask, rank: p.rank)
        let scores = ScoreLowering(spec)
        let lowering = GradientKernelLowering(dialect: .openCL, facts: facts, maskFunction: mask.functionName, scores: scores)
        constants = lowering.constants
        maskFunction = mask.functionName
        let tables = OpenCLPlanTables(plan: plan)
        let transposed = GradientPlanTables(plan: plan)
        let (queryTiles, keyTiles) = (plan.queryTiles.count, plan.keyTiles.count)

        let storage = ["q", "k", "v"].map { OpenCLKernelArgument.buffer($0, "__global const storage_t*") }
        let reads = { (names: [String]) in names.map { OpenCLKernelArgument.buffer($0, "__global const float*") } }
        let writes = { (names: [String]) in names.map { OpenCLKernelArgument.buffer($0, "__global float*") } }
        let sizes: [OpenCLKernelArgument] = [
            .int("batch", p.batch), .int("heads", p.heads), .int("kv_heads", p.kvHeads), .int("query_tokens", p.queryTokens),
            .int("key_tokens", p.keyTokens),
        ]
        let scale = OpenCLKernelArgument("scale", "const float", .float(Float(p.effectiveScale)))
        let maskArguments = OpenCLKernelArgument.mask(mask, problem: p)
        let tileTables = ["query_tile_offsets", "query_tile_tokens", "key_tile_offsets", "key_tile_tokens"].map(OpenCLKernelArgument.planBuffer)
        func arguments(_ kernel: GradientKernelLowering.Kernel) -> [OpenCLKernelArgument] {
            switch kernel {
            case .rowDot:
                return reads(["dout", "output"]) + writes(["row_dot"]) + [.int("batch", p.batch), .int("query_tokens", p.queryTokens), .int("heads", p.heads)]
            case .keyValue:
                return storage + reads(["dout", "lse", "row_dot"]) + writes(["dk", "dv"]) + tileTables
                    + ["visitor_offsets", "visitors"].map(OpenCLKernelArgument.planBuffer) + sizes + [.int("key_tiles", keyTiles), scale] + maskArguments
            case .query:
                return storage + reads(["dout", "lse", "row_dot"]) + writes(["dq"]) + tileTables
                    + ["visit_offsets", "visits"].map(OpenCLKernelArgument.planBuffer) + sizes + [.int("query_tiles", queryTiles), scale] + maskArguments
            }
        }
        let kernels = GradientKernelLowering.Kernel.allCases
        launches = kernels.map { kernel in
            OpenCLKernelLaunch(
                kernel: kernel.rawValue, arguments: arguments(kernel),
                workgroups: lowering.workgroups(kernel, problem: p, queryTiles: queryTiles, keyTiles: keyTiles),
                localSize: GradientKernelLowering.workgroupSize, workgroupFormula: GradientKernelLowering.workgroupFormula(kernel),
                localMemoryBytes: 0)
        }
        buffers = OpenCLBufferCatalog.gradients(spec: spec, tables: tables, transposed: transposed, used: launches)

        let sources = kernels.map { kernel in
            OpenCLKernelLowering.kernelText(
                name: kernel.rawValue, arguments: arguments(kernel),
                body: (kernel == .rowDot ? [] : [mask.contextInitializer(.openCL)!]) + lowering.body(kernel))
        }
        programText = ([
            "/* OpenCL C 1.2 backward kernels generated by AttentionGen (FlashAttention-2's backward over the tile plan). */",
            "/* ---- Configuration: compile-time constants ------------------------------------------------ */\n"
                + KernelDialect.openCL.constants(lowering.constants),
            OpenCLPreamble.storage(p.dtype),
            "/* ---- Mask predicate --------------------------------------------------------------------------- */\n" + mask.source(.openCL),
        ] + scores.section(.openCL) + [
            "/* ---- Kernels, in dispatch order ----------------------------------------------------------------- */",
        ] + sources).joined(separator: "\n\n") + "\n"
    }
}

extension OpenCLBufferCatalog {
    /// The backward program's buffers, in first-use order of `used`'s arguments.
    static func gradients(
        spec: AttentionSpec, tables: OpenCLPlanTables, transposed: GradientPlanTables, used: [OpenCLKernelLaunch]
    ) -> [OpenCLBufferSpecification] {
        let p = spec.problem
        let forward = OpenCLBufferCatalog(spec: spec, maxQueryRows: 1, tables: tables).all
        func float(_ name: String, _ role: OpenCLBufferRole, _ shape: [Int], _ summary: String) -> OpenCLBufferSpecification {
            OpenCLBufferSpecification(name: name, role: role, elementType: .float, count: max(1, shape.reduce(1, *)), shape: shape, contents: nil, summary: summary)
        }
        func table(_ name: String, _ values: [Int32], _ summary: String) -> OpenCLBufferSpecification {
            OpenCLBufferSpecification(name: name, role: .plan, elementType: .int, count: max(1, values.count), shape: nil,
                                      contents: values.isEmpty ? [0] : values, summary: summary)
        }
        let available = forward.filter { ["q", "k", "v"].contains($0.name) || $0.role == .plan } + [
            float("output", .input, p.outputTensorShape, "the forward's output [batch, *queryShape, heads, valueDim], float32"),
            float("lse", .input, p.lseTensorShape, "the forward's log-sum-exp [batch, *queryShape, heads], float32"),
            float("dout", .input, p.outputTensorShape, "gradient of the output [batch, *queryShape, heads, valueDim], float32"),
            float("row_dot", .scratch, p.lseTensorShape, "D = rowsum(dout * output) per (batch, query, head)"),
            float("dq", .output, p.queryTensorShape, "dQ [batch, *queryShape, heads, headDim], float32"),
            float("dk", .output, p.keyTensorShape, "dK [batch, *keyShape, kvHeads, headDim], float32, summed over the query heads of a kv head"),
            float("dv", .output, p.valueTensorShape, "dV [batch, *keyShape, kvHeads, valueDim], float32, summed likewise"),
            table("visitor_offsets", transposed.visitorOffsets, "key tile t is visited by visitors[offsets[t] .. offsets[t + 1]) (in pairs)"),
            table("visitors", transposed.visitors, "pairs (query tile, 1 if FULL else 0) in query tile order: the transposed plan"),
        ]
        var result: [OpenCLBufferSpecification] = []
        for launch in used {
            for case .buffer(let name) in launch.arguments.map(\.value) where !result.contains(where: { $0.name == name }) {
                if let buffer = available.first(where: { $0.name == name }) { result.append(buffer) }
            }
        }
        return result
    }
}
