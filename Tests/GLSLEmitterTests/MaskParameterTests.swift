import AttentionPlan
import AttentionSpec
import GLSLEmitter
import KernelLowering
import OpenCLRuntime
import Testing

/// The GLSL mask predicate takes its parameters from the same Swift values `MaskPredicate` uses,
/// and its text, run as C on PoCL (the predicate is written in the common subset of GLSL and
/// OpenCL C), agrees with `MaskPredicate` on every pair of small grids.
@Suite struct GLSLMaskParameterTests {
    static func spec(_ q: [Int], _ k: [Int]? = nil, _ mask: AttentionMask) -> AttentionSpec {
        try! AttentionSpec.attention(heads: 1, headDim: 8, tokens: q, keyTokens: k).masked(mask).validated()
    }

    static let layout = BlockSparseLayout(
        queryBlock: [2, 3], keyBlock: [3, 2], kvIndices: [[0, 5], [1], [2, 3, 4], [], [4, 1], [5], [0, 3], [2], [1, 5]],
        fullIndices: [], causal: true)

    static let cases: [AttentionSpec] = [
        spec([5], [9], .causal), spec([9], [5], .causal),
        spec([7], [7], .slidingWindow(left: 3, right: 1)), spec([9], [5], .slidingWindow(left: -1, right: 2)),
        spec([17], nil, try! .neighborhood(window: [5], stride: [2], dilation: [2])),
        spec([13], nil, try! .neighborhood(window: [4], stride: [3], causal: [true])),
        spec([9, 7], nil, try! .neighborhood(window: [3, 5], stride: [1, 2], dilation: [2, 1], causal: [true, false])),
        spec([4, 5, 6], nil, try! .neighborhood(window: [2, 3, 2], stride: [2, 1, 2], dilation: [1, 1, 2], causal: [false, true, false])),
        spec([5, 7], [6, 5], .blockSparse(layout)),
    ]

    @Test(arguments: cases)
    func parametersComeFromTheSpecsMask(_ spec: AttentionSpec) throws {
        let source = try emitted(spec)
        let constants = Dictionary(uniqueKeysWithValues: source.shaders[0].specializationConstants.map { ($0.name, $0.value) })
        #expect(source.shaders[0].specializationConstants.map(\.id) == Array(0..<constants.count))
        func push(_ name: String) -> Int? {
            source.pushConstants.first { $0.name == name }.flatMap { if case .int(let v) = $0.value { v } else { nil } }
        }
        #expect(push("query_tokens") == spec.problem.queryTokens && push("key_tokens") == spec.problem.keyTokens)
        switch spec.mask {
        case .slidingWindow(let left, let right):
            #expect(constants == ["WINDOW_LEFT": left, "WINDOW_RIGHT": right])
        case .neighborhood(let axes):
            for (axis, a) in axes.enumerated() {
                #expect(constants["NA_WINDOW_\(axis)"] == a.window && constants["NA_STRIDE_\(axis)"] == a.stride)
                #expect(constants["NA_DILATION_\(axis)"] == a.dilation && constants["NA_CAUSAL_\(axis)"] == (a.causal ? 1 : 0))
                #expect(push("grid_\(axis)") == spec.problem.queryShape[axis])
            }
        case .blockSparse(let layout):
            for axis in 0..<spec.problem.rank {
                #expect(constants["QUERY_BLOCK_\(axis)"] == layout.queryBlock[axis] && constants["KEY_BLOCK_\(axis)"] == layout.keyBlock[axis])
                #expect(push("query_grid_\(axis)") == spec.problem.queryShape[axis] && push("key_grid_\(axis)") == spec.problem.keyShape[axis])
            }
            #expect(constants["BLOCK_SPARSE_CAUSAL"] == (layout.causal ? 1 : 0))
            let base = try #require(push("mask_table_base"))
            #expect(Array(source.planWords[base..<(base + source.tables.maskTable.count)]) == source.tables.maskTable)
        default:
            #expect(constants.isEmpty)
        }
    }

    static let context: Result<OpenCLContext, OpenCLError> = Result { () throws(OpenCLError) in
        try OpenCLContext(programCache: .disabled)
    }

    @Test(arguments: cases)
    func predicateTextAgreesWithMaskPredicate(_ spec: AttentionSpec) throws {
        guard let context = try? Self.context.get() else {
            Issue.record("no OpenCL device to run the predicate text on: \(Self.context)")
            return
        }
        let source = try emitted(spec)
        let p = spec.problem
        let program = try context.buildProgram(source: Self.probe(source))
        let kernel = try program.makeKernel("probe_mask")
        let allowed = try context.makeBuffer(count: p.queryTokens * p.keyTokens, of: Int32.self, access: .writeOnly)
        try context.dispatch(kernel, global: [p.queryTokens, p.keyTokens], arguments: [.buffer(allowed)]).wait()
        let device = try allowed.read(as: Int32.self)
        let predicate = MaskPredicate(mask: spec.mask, problem: p)
        var mismatches: [String] = []
        for query in 0..<p.queryTokens {
            for key in 0..<p.keyTokens where (device[query * p.keyTokens + key] != 0) != predicate.allows(query: query, key: key) {
                mismatches.append("(\(query), \(key))")
            }
        }
        #expect(mismatches.isEmpty, "\(spec.summary): emitted predicate disagrees at \(mismatches.prefix(10))")
    }

    /// The shader's predicate functions with C definitions of what they read: the specialization
    /// constants as macros, the push constants and the plan buffer as program-scope constants.
    static func probe(_ source: GLSLKernelSource) -> String {
        let shader = source.shaders[0]
        let mask = source.configuration.mask
        let defines = shader.specializationConstants.map { "#define \($0.name) \($0.value)" }
        let fields = source.pushConstants.map { "    \($0.type) \($0.name);" }
        let values = source.pushConstants.map { member -> String in
            switch member.value {
            case .int(let v): "\(v)"
            case .float(let v): "\(v)f"
            }
        }
        return """
            \(defines.joined(separator: "\n"))
            typedef struct {
            \(fields.joined(separator: "\n"))
            } push_constants;
            __constant push_constants pc = { \(values.joined(separator: ", ")) };
            __constant int plan_data[] = { \(source.planWords.map(String.init).joined(separator: ", ")) };

            \(mask.functions(.glsl))

            __kernel void probe_mask(__global int* allowed) {
                const int query = get_global_id(0), key = get_global_id(1);
                allowed[query * pc.key_tokens + key] = \(mask.functionName)(query, key) ? 1 : 0;
            }
            """
    }
}
