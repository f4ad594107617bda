import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// A paged KV cache (`KeyValuePages`) on every backend: shuffled pools with unused pages, page
/// sizes 16 to 256 that divide the key tile, are multiples of it or neither (tiles that straddle
/// pages), shared prefix pages, batched and varlen sequences of 1 to 2,000 keys, GQA (the
/// interpreter's packed decode), 16-bit storage, softcap, flash, split-KV and lean.
@Suite struct PagedKeyValueTests {
    static let specs: [AttentionSpec] = {
        let decode = AttentionSpec.attention(batch: 3, heads: 8, kvHeads: 2, headDim: 64, tokens: [1], keyTokens: [300])
            .tiled(query: [1], key: [64]).scheduled(.splitKV(splits: 4))
        let mixed = VariableLengthTests.varlen(queries: [1, 1, 1, 1, 1], keys: [1, 700, 64, 129, 2000], right: 0, heads: 4, kvHeads: 1, headDim: 64)
            .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 7)).softcapped(8)
        let prefill = VariableLengthTests.varlen(queries: [30, 9, 50], keys: [30, 40, 50], left: 20, right: 0, heads: 2, headDim: 32, dtype: .float16)
            .tiled(query: [16], key: [32])
        let straddling = AttentionSpec.attention(batch: 2, heads: 2, headDim: 16, tokens: [40], keyTokens: [100], dtype: .bfloat16)
            .masked(.causal).tiled(query: [16], key: [32])
        return [
            pagedVariant(of: decode, pageSize: 16, seed: 1),
            pagedVariant(of: mixed, pageSize: 128, seed: 2),
            pagedVariant(of: prefill, pageSize: 256, seed: 3, spare: 0, padding: 0),
            pagedVariant(of: straddling, pageSize: 48, seed: 4, sharePrefix: true),
            pagedVariant(of: mixed.tiled(query: [1], key: [128]), pageSize: 64, seed: 5, spare: 10),
            // One causal query per batch entry: the interpreter packs its query heads as dense decode.
            pagedVariant(
                of: AttentionSpec.attention(batch: 2, heads: 6, kvHeads: 2, headDim: 32, tokens: [1], keyTokens: [77]).masked(.causal)
                    .tiled(query: [1], key: [16]).scheduled(.lean(workgroups: 3)),
                pageSize: 32, seed: 6),
        ].map { try! $0.validated() }
    }()

    @Test(arguments: [Float(1), 100])
    func forwardMatchesTheReferenceOnEveryBackend(amplitude: Float) throws {
        try EveryBackend.checkForward(Self.specs, seed: 1600, amplitude: amplitude)
    }

    /// Paging moves rows, never changes a result: the paged run of keys written into shuffled
    /// pages equals the unpaged spec's float64 reference on the same logical keys.
    @Test func aPagedCacheGivesWhatTheDenseCacheGives() throws {
        for (n, paged) in Self.specs.enumerated() where !(n == 3) {
            var dense = paged
            dense.problem.pages = nil
            let inputs = try randomInputs(dense, seed: 40 + UInt64(n))
            let p = paged.problem
            let k = pooledKeyRows(inputs.k.elements, of: paged, width: p.headDim, fill: .nan)
            let v = pooledKeyRows(inputs.v.elements, of: paged, width: p.valueDim, fill: .nan)
            let exact = NaiveAttention.compute(dense, q: inputs.q.elements, k: inputs.k.elements, v: inputs.v.elements, as: Double.self)
            for runtime in try EveryBackend.runtimes.get() {
                let result = try runtime.attention(
                    paged, q: inputs.q, k: Tensor(shape: p.keyTensorShape, elements: k), v: Tensor(shape: p.valueTensorShape, elements: v))
                let error = zip(result.output.elements, exact.output).map { abs(Double($0) - $1) }.max() ?? 0
                #expect(error < 1e-3, "\(result.backendName), \(paged.summary): max error \(error)")
            }
        }
    }

    /// Unused pool rows are never read: NaN there leaves every output finite.
    @Test func unusedPagesAreNeverRead() throws {
        let spec = Self.specs[4]
        let inputs = try randomInputs(spec, seed: 9)
        let p = spec.problem
        var k = inputs.k.elements
        var v = inputs.v.elements
        let used = Set(spec.keySlots!)
        for row in 0..<p.pages!.poolTokens where !used.contains(row) {
            for x in 0..<(p.kvHeads * p.headDim) { k[row * p.kvHeads * p.headDim + x] = .nan }
            for x in 0..<(p.kvHeads * p.valueDim) { v[row * p.kvHeads * p.valueDim + x] = .nan }
        }
        for runtime in try EveryBackend.runtimes.get() {
            let result = try runtime.attention(
                spec, q: inputs.q, k: Tensor(shape: p.keyTensorShape, elements: k), v: Tensor(shape: p.valueTensorShape, elements: v))
            let finite = result.output.elements.allSatisfy { $0.isFinite }
            #expect(finite, "\(result.backendName)")
        }
    }

    @Test func theBackwardPassRefusesAPagedCache() throws {
        let spec = Self.specs[0]
        do {
            _ = try randomGradientInputs(spec, seed: 1)
            Issue.record("a paged spec's gradient inputs were accepted")
        } catch {
            #expect("\(error)".contains("problem.pages"), "\(error)")
        }
    }
}
