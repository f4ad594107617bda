import AttentionPlan
import AttentionSpec
import KernelLowering
import OpenCLEmitter
import OpenCLRuntime
import Testing

/// The emitted mask predicate, compiled into a probe kernel that evaluates it on every
/// (query, key) pair of small grids, must agree with `MaskPredicate` everywhere.
@Suite struct MaskPredicateAgreementTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Specs with the same compile-time mask, on different run-time grids (one program).
        let specs: [AttentionSpec]
        var testDescription: String { name }
    }

    static func spec(_ q: [Int], _ k: [Int]? = nil, _ mask: AttentionMask) -> AttentionSpec {
        AttentionSpec.attention(heads: 1, headDim: 8, tokens: q, keyTokens: k).masked(mask)
    }

    static let cases: [Case] = {
        let grids1D: [([Int], [Int])] = [([5], [9]), ([9], [5]), ([7], [7])]
        func flat(_ name: String, _ mask: AttentionMask) -> Case { Case(name: name, specs: grids1D.map { spec($0.0, $0.1, mask) }) }
        let layout = BlockSparseLayout(
            queryBlock: [2, 3], keyBlock: [3, 2], kvIndices: [[0, 5], [1], [2, 3, 4], [], [4, 1], [5], [0, 3], [2], [1, 5]],
            fullIndices: [], causal: true)
        return [
            flat("causal", .causal),
            flat("sliding window (3, 1)", .slidingWindow(left: 3, right: 1)),
            flat("sliding window (-1, 2)", .slidingWindow(left: -1, right: 2)),
            Case(name: "neighborhood 1-D window 5 stride 2 dilation 2", specs: [[10], [11], [17]].map {
                spec($0, nil, try! .neighborhood(window: [5], stride: [2], dilation: [2]))
            }),
            Case(name: "neighborhood 1-D causal window 4 stride 3", specs: [[4], [9], [13]].map {
                spec($0, nil, try! .neighborhood(window: [4], stride: [3], causal: [true]))
            }),
            Case(name: "neighborhood 2-D dilated, per-axis causal", specs: [[6, 5], [9, 7]].map {
                spec($0, nil, try! .neighborhood(window: [3, 5], stride: [1, 2], dilation: [2, 1], causal: [true, false]))
            }),
            Case(name: "neighborhood 3-D strided, dilated, per-axis causal", specs: [[3, 4, 4], [4, 5, 6]].map {
                spec($0, nil, try! .neighborhood(window: [2, 3, 2], stride: [2, 1, 2], dilation: [1, 1, 2], causal: [false, true, false]))
            }),
            Case(name: "block-sparse 2-D with causal", specs: [spec([5, 7], [6, 5], .blockSparse(layout))]),
        ]
    }()

    @Test(arguments: cases)
    func emittedPredicateAgreesWithMaskPredicate(_ c: Case) throws {
        let context = try SharedOpenCL.get().context
        let lowering = try emitted(c.specs[0]).configuration.mask
        let program = try context.buildProgram(source: Self.probeSource(lowering, problem: c.specs[0].problem))
        let kernel = try program.makeKernel("probe_mask")
        for spec in c.specs {
            let spec = try spec.validated()
            let p = spec.problem
            let tables = try emitted(spec).tables
            let allowed = try context.makeBuffer(count: p.queryTokens * p.keyTokens, of: Int32.self, access: .writeOnly)
            var arguments: [KernelArgument] = [.buffer(allowed), .int32(Int32(p.queryTokens)), .int32(Int32(p.keyTokens))]
            for argument in OpenCLKernelArgument.mask(lowering, problem: p) {
                switch argument.value {
                case .int(let value): arguments.append(.int32(Int32(value)))
                case .float(let value): arguments.append(.float(value))
                case .buffer: arguments.append(.buffer(try context.makeBuffer(tables.maskTable, access: .readOnly)))
                }
            }
            try context.dispatch(kernel, global: [p.queryTokens, p.keyTokens], arguments: arguments).wait()
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
    }

    /// The mask's source plus a kernel writing `allows(query, key)` for every pair.
    static func probeSource(_ lowering: MaskLowering, problem: AttentionProblem) -> String {
        let parameters = ["__global int* allowed", "const int query_tokens", "const int key_tokens"]
            + OpenCLKernelArgument.mask(lowering, problem: problem).map(\.declaration)
        return """
            \(lowering.source(.openCL))

            __kernel void probe_mask(\(parameters.joined(separator: ", "))) {
                \(lowering.contextInitializer(.openCL)!)
                const int query = get_global_id(0), key = get_global_id(1);
                allowed[query * key_tokens + key] = \(lowering.functionName)(query, key, &mask) ? 1 : 0;
            }
            """
    }
}
