import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import CPUInterpreter
import Foundation
import Testing

/// Runs `spec` on the CPU interpreter with random inputs and checks the tolerance rule.
func checkInterpreter(
    _ spec: AttentionSpec, seed: UInt64, amplitude: Float = 1, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    var rng = SeededGenerator(seed: seed)
    let p = spec.problem
    let inputs = try AttentionInputs(
        spec: spec, q: .random(shape: p.queryTensorShape, amplitude: amplitude, using: &rng),
        k: .random(shape: p.keyTensorShape, amplitude: amplitude, using: &rng), v: .random(shape: p.valueTensorShape, using: &rng))
    let result = try CPUBackend().run(inputs)
    let report = ToleranceRule().check(result, for: inputs)
    #expect(report.passed, "\(spec.summary): \(report)", sourceLocation: sourceLocation)
    let finite = result.output.elements.allSatisfy { $0.isFinite }
    #expect(finite, sourceLocation: sourceLocation)
}

@Suite struct InterpreterAccuracyTests {
    static let schedules: [Schedule] = [.flash, .splitKV(splits: 3), .lean(workgroups: 7)]

    @Test(arguments: schedules)
    func denseCausalAndSlidingWithRaggedEdgesAndGQA(schedule: Schedule) throws {
        let masks: [AttentionMask] = [.dense, .causal, .slidingWindow(left: 9, right: 3), .slidingWindow(left: -1, right: 0)]
        for (n, mask) in masks.enumerated() {
            // Sq ≠ Sk, sizes not multiples of the tiles, 6 query heads over 2 kv heads.
            let spec = try AttentionSpec.attention(batch: 2, heads: 6, kvHeads: 2, headDim: 40, tokens: [37], keyTokens: [53])
                .masked(mask).tiled(query: [16], key: [8]).scheduled(schedule).validated()
            try checkInterpreter(spec, seed: UInt64(n))
        }
    }

    @Test(arguments: schedules)
    func neighborhoodsIn1D2D3D(schedule: Schedule) throws {
        let cases: [(shape: [Int], mask: AttentionMask, tile: [Int], key: [Int])] = [
            ([45], try .neighborhood(window: [9], stride: [2], dilation: [2], causal: [false]), [8], [16]),
            ([30], try .neighborhood(window: [7], stride: [3], causal: [true]), [4], [8]),
            ([11, 13], try .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]), [4, 4], [2, 8]),
            ([6, 7, 9], try .neighborhood(window: [3, 4, 5], stride: [1, 2, 5], dilation: [1, 1, 1], causal: [true, false, false]), [2, 2, 4], [2, 4, 2]),
            ([8, 8], try .neighborhood(window: [4, 4], stride: [4, 4]), [4, 4], [4, 4]),
        ]
        for (n, c) in cases.enumerated() {
            let spec = try AttentionSpec.attention(batch: 1, heads: 4, kvHeads: 1, headDim: 32, tokens: c.shape)
                .masked(c.mask).tiled(query: c.tile, key: c.key).scheduled(schedule).validated()
            try checkInterpreter(spec, seed: 100 + UInt64(n))
        }
    }

    @Test func blockSparseWithCausalDiagonal() throws {
        let layout = BlockSparseLayout(
            queryBlock: [16], keyBlock: [16], kvIndices: [[0], [1], [0, 2], [3]], fullIndices: [[], [0], [], [1]], causal: true)
        for schedule in Self.schedules {
            let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [64]).masked(.blockSparse(layout)).scheduled(schedule).validated()
            try checkInterpreter(spec, seed: 7)
        }
    }

    @Test(arguments: [32, 64, 128, 256, 40])
    func headDims(headDim: Int) throws {
        let spec = try AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: headDim, valueDim: headDim, tokens: [33], keyTokens: [47])
            .masked(.causal).tiled(query: [16], key: [16]).scheduled(.splitKV(splits: 2)).validated()
        try checkInterpreter(spec, seed: UInt64(headDim))
    }

    @Test(arguments: [ElementType.float16, .bfloat16])
    func halfPrecisionStorage(dtype: ElementType) throws {
        let spec = try AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [40], dtype: dtype)
            .masked(.slidingWindow(left: 12, right: 4)).tiled(query: [16], key: [16]).scheduled(.lean(workgroups: 5)).validated()
        try checkInterpreter(spec, seed: 3)
    }

    @Test func largeLogitsStayFiniteAndAccurate() throws {
        for schedule in Self.schedules {
            let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [50]).masked(.causal).tiled(query: [16], key: [16])
                .scheduled(schedule).validated()
            try checkInterpreter(spec, seed: 21, amplitude: 100)
        }
    }

    @Test func fullyMaskedRowsGiveZeroAndNegativeInfinity() throws {
        // 20 queries over 8 keys, causal: the first 12 rows see nothing.
        for schedule in Self.schedules {
            let spec = try AttentionSpec.attention(heads: 1, headDim: 16, tokens: [20], keyTokens: [8]).masked(.causal)
                .tiled(query: [8], key: [4]).scheduled(schedule).validated()
            var rng = SeededGenerator(seed: 4)
            let p = spec.problem
            let result = try CPUBackend().run(AttentionInputs(
                spec: spec, q: .random(shape: p.queryTensorShape, using: &rng), k: .random(shape: p.keyTensorShape, using: &rng),
                v: .random(shape: p.valueTensorShape, using: &rng)))
            for i in 0..<12 {
                #expect(result.lse[[0, i, 0]] == -.infinity)
                #expect((0..<16).allSatisfy { result.output[[0, i, 0, $0]] == 0 })
            }
            #expect(result.lse[[0, 12, 0]].isFinite)
        }
    }

    @Test func everyCatalogueSpec() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".json") {
            let spec = try AttentionSpec(contentsOf: folder.appendingPathComponent(file))
            // The float64 reference of the largest specs takes minutes in a debug build.
            guard try LongTests.allow(spec, upToGFLOP: 1.05) else { continue }
            try checkInterpreter(spec, seed: 5)
        }
    }
}

extension Schedule: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .flash: "flash"
        case .splitKV(let n): "splitKV(\(n))"
        case .lean(let g): "lean(\(g))"
        }
    }
}

/// GQA packing (dense decode-like specs run with the query heads of a kv head as rows of one tile)
/// gives what the unpacked plan gives; a traced run is never packed, so it is the unpacked one.
@Suite struct GQAPackingTests {
    @Test(arguments: [Schedule.flash, .splitKV(splits: 3), .lean(workgroups: 7)])
    func packedMatchesUnpackedAndTheReference(schedule: Schedule) throws {
        for (n, (heads, kvHeads, tokens)) in [(8, 2, 1), (6, 1, 3), (32, 8, 1)].enumerated() {
            let spec = try AttentionSpec.attention(heads: heads, kvHeads: kvHeads, headDim: 64, tokens: [tokens], keyTokens: [333])
                .tiled(query: [4], key: [64]).scheduled(schedule).validated()
            let inputs = try randomInputs(spec, seed: 40 + UInt64(n))
            let packed = try CPUBackend().run(inputs)
            let unpacked = try CPUBackend(trace: InterpreterTrace()).run(inputs)
            let report = ToleranceRule().check(packed, for: inputs)
            #expect(report.passed, "\(spec.summary): \(report)")
            let gap = zip(packed.output.elements, unpacked.output.elements).map { abs($0 - $1) }.max() ?? 0
            #expect(Double(gap) <= report.outputBound, "\(spec.summary): packed and unpacked differ by \(gap)")
        }
    }
}
