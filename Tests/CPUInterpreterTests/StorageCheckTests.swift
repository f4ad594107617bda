import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import CPUInterpreter
import Testing

/// 16-bit K and V are checked by the interpreter's run as it reads them (`StorageCheck`), not in
/// a pass of their own: the check passes exactly when every row the run reads holds values of
/// the storage type, and the CPU backend's result is always that of the inputs rounded first.
@Suite struct StorageCheckTests {
    static let specs: [AttentionSpec] = [
        // Decode: GQA-packed, head lockstep, K and V read in place.
        AttentionSpec.attention(batch: 2, heads: 8, kvHeads: 2, headDim: 32, tokens: [1], keyTokens: [300], dtype: .float16)
            .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 5)),
        // Prefill: every key tile visited often enough to be rearranged (checked as it is copied).
        AttentionSpec.attention(heads: 2, headDim: 16, tokens: [256], dtype: .bfloat16).masked(.causal).tiled(query: [16], key: [16]),
        // Box tiles, gathered and trimmed.
        AttentionSpec.attention(heads: 2, headDim: 16, tokens: [12, 12], dtype: .float16)
            .masked(try! .neighborhood(window: [5, 5])).tiled(query: [4, 4], key: [4, 4]),
        // A paged cache with unused pages (rows the run never reads).
        pagedVariant(
            of: AttentionSpec.attention(batch: 3, heads: 4, kvHeads: 2, headDim: 32, tokens: [1], keyTokens: [200], dtype: .bfloat16)
                .tiled(query: [1], key: [32]).scheduled(.splitKV(splits: 3)),
            pageSize: 32, seed: 7, spare: 4),
    ].map { try! $0.validated() }

    /// A value neither float16 nor bfloat16 holds.
    static let inexact: Float = 1 + 1 / 8192

    /// The interpreter's run of `k` and `v` as given, checked against the spec's storage type.
    static func checkedRun(_ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor) throws -> (passed: Bool, output: [Float]) {
        let interpreter = try CPUInterpreter(spec: spec)
        let check = try #require(StorageCheck(spec.problem.dtype))
        let p = spec.problem
        var output = [Float](repeating: 0, count: p.outputTensorShape.reduce(1, *))
        var lse = [Float](repeating: 0, count: p.lseTensorShape.reduce(1, *))
        q.elements.withUnsafeBufferPointer { q in
            k.elements.withUnsafeBufferPointer { k in
                v.elements.withUnsafeBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { o in
                        lse.withUnsafeMutableBufferPointer { l in interpreter.run(q: q, k: k, v: v, output: o, lse: l, storageCheck: check) }
                    }
                }
            }
        }
        return (check.passed, output)
    }

    @Test(arguments: specs.indices) func theCheckPassesExactlyWhenARowTheRunReadsIsInexact(index: Int) throws {
        let spec = Self.specs[index]
        let p = spec.problem
        let raw = try randomInputs(spec, seed: UInt64(40 + index))
        let (q, k, v) = (raw.q, raw.k, raw.v)  // rounded
        #expect(try Self.checkedRun(spec, q: q, k: k, v: v).passed)
        // The first row of a kv head some query reads (in a paged pool: its slot).
        let readRow = spec.keySlots?[0] ?? 0
        for role in ["k", "v"] {
            var (changedK, changedV) = (k, v)
            if role == "k" { changedK.elements[(readRow * p.kvHeads + 1) * p.headDim + 3] = Self.inexact }
            if role == "v" { changedV.elements[(readRow * p.kvHeads) * p.valueDim + 5] = Self.inexact }
            #expect(try !Self.checkedRun(spec, q: q, k: changedK, v: changedV).passed, "\(role)")
            // The backend discards that run and gives the rounded inputs' result.
            let roundedFirst = try AttentionInputs(spec: spec, q: q, k: p.dtype.rounded(changedK), v: p.dtype.rounded(changedV))
            let asGiven = try AttentionInputs(spec: spec, q: q, k: changedK, v: changedV)
            #expect(try CPUBackend().run(asGiven).output == CPUBackend().run(roundedFirst).output, "\(role)")
        }
        // Rows of no page are never read, so they are not checked either.
        if let pages = p.pages {
            let used = Set(spec.keySlots!)
            let unused = try #require((0..<pages.poolTokens).first { !used.contains($0) })
            var changedK = k
            changedK.elements[unused * p.kvHeads * p.headDim] = Self.inexact
            let run = try Self.checkedRun(spec, q: q, k: changedK, v: v)
            #expect(run.passed)
            #expect(try Tensor(shape: p.outputTensorShape, elements: run.output) == CPUBackend().run(AttentionInputs(spec: spec, q: q, k: k, v: v)).output)
        }
    }

    /// Inputs checked by one run are not checked or copied again: a second call on the same
    /// `AttentionInputs` gives the same result.
    @Test func checkedInputsStayChecked() throws {
        let spec = Self.specs[0]
        let raw = try randomInputs(spec, seed: 49)
        let inputs = try AttentionInputs(spec: spec, q: raw.q, k: raw.k, v: raw.v)
        let first = try CPUBackend().run(inputs)
        #expect(inputs.k == raw.k && inputs.v == raw.v)
        #expect(try CPUBackend().run(inputs).output == first.output)
    }
}
