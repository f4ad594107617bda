import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Testing

/// A seeded random sweep over masks, schedules (with uneven splits), GQA, ragged edges, head
/// dimensions and storage types; every case runs on OpenCL and is checked against the float64
/// reference and the CPU interpreter. Sizes, splits and work-group counts are drawn at random
/// (they are run-time arguments); the compile-time shapes repeat so programs are reused.
@Suite struct SweepTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let spec: AttentionSpec
        let seed: UInt64
        var amplitude: Float = 1
        var testDescription: String { spec.summary }
    }

    static let cases: [Case] = {
        var rng = SeededGenerator(seed: 20_240_607)
        func pick(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        func schedules(_ kinds: String) -> [Schedule] {
            kinds.map { kind -> Schedule in
                switch kind {
                case "s": .splitKV(splits: pick(2...5))
                case "l": .lean(workgroups: pick(3...11))
                default: .flash
                }
            }
        }
        var cases: [Case] = []
        func add(_ base: AttentionSpec, _ kinds: String, amplitude: Float = 1) {
            for schedule in schedules(kinds) {
                cases.append(Case(spec: try! base.scheduled(schedule).validated(), seed: UInt64(cases.count), amplitude: amplitude))
            }
        }
        let blocks = BlockSparseLayout(
            queryBlock: [16], keyBlock: [16], kvIndices: [[0], [1], [0, 2], [3]], fullIndices: [[], [0], [], [1]], causal: true)

        // Dense and dense-style masks: ragged Sq ≠ Sk, 6 query heads over 2 kv heads, odd head dim.
        add(.attention(batch: pick(1...2), heads: 6, kvHeads: 2, headDim: 40, tokens: [pick(20...45)], keyTokens: [pick(30...60)])
            .tiled(query: [16], key: [8]), "fsl")
        add(.attention(batch: pick(1...2), heads: 3, kvHeads: 1, headDim: 32, tokens: [pick(30...50)], keyTokens: [pick(40...70)])
            .masked(.causal).tiled(query: [16], key: [16]), "fsl")
        // More queries than keys: the first Sq - Sk rows see nothing (output 0, lse -inf).
        add(.attention(heads: 2, headDim: 32, tokens: [20], keyTokens: [8]).masked(.causal).tiled(query: [8], key: [4]), "fl")
        add(.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [pick(30...60)])
            .masked(.slidingWindow(left: 9, right: 3)).tiled(query: [16], key: [16]), "fs")
        add(.attention(heads: 2, headDim: 32, tokens: [pick(40...60)], dtype: .float16)
            .masked(.slidingWindow(left: -1, right: 0)).tiled(query: [16], key: [16]), "l")
        add(.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [40], dtype: .bfloat16)
            .masked(.slidingWindow(left: 12, right: 4)).tiled(query: [16], key: [16]), "sl")
        // Neighborhoods in 1-D, 2-D, 3-D with stride, dilation and per-axis causality.
        add(.attention(heads: 4, kvHeads: 1, headDim: 32, tokens: [45])
            .masked(try! .neighborhood(window: [9], stride: [2], dilation: [2])).tiled(query: [8], key: [16]), "fsl")
        add(.attention(heads: 2, headDim: 32, tokens: [30])
            .masked(try! .neighborhood(window: [7], stride: [3], causal: [true])).tiled(query: [4], key: [8]), "f")
        add(.attention(batch: 2, heads: 2, kvHeads: 1, headDim: 32, tokens: [11, 13])
            .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
            .tiled(query: [4, 4], key: [2, 8]), "fl")
        add(.attention(heads: 2, kvHeads: 1, headDim: 32, tokens: [6, 7, 9])
            .masked(try! .neighborhood(window: [3, 4, 5], stride: [1, 2, 5], causal: [true, false, false]))
            .tiled(query: [2, 2, 4], key: [2, 4, 2]), "fsl")
        add(.attention(heads: 2, headDim: 32, tokens: [8, 8], dtype: .float16)
            .masked(try! .neighborhood(window: [4, 4], stride: [4, 4])).tiled(query: [4, 4], key: [4, 4]), "f")
        // Block-sparse with declared FULL blocks and a causal diagonal.
        add(.attention(heads: 2, headDim: 32, tokens: [64]).masked(.blockSparse(blocks)), "fsl")
        // Head dimensions 64 and 128 (40 above), and large logits.
        for headDim in [64, 128] {
            add(.attention(heads: 2, kvHeads: 1, headDim: headDim, tokens: [pick(25...40)], keyTokens: [pick(40...50)])
                .masked(.causal).tiled(query: [16], key: [16]), "s")
        }
        add(.attention(heads: 2, headDim: 32, tokens: [50]).masked(.causal).tiled(query: [16], key: [16]), "f", amplitude: 100)
        return cases
    }()

    @Test(arguments: cases)
    func openCLMatchesTheReferenceAndTheInterpreter(_ c: Case) throws {
        try checkOpenCL(c.spec, seed: c.seed, amplitude: c.amplitude)
    }

    @Test func fullyMaskedRowsGiveZeroAndNegativeInfinity() throws {
        for schedule: Schedule in [.flash, .splitKV(splits: 3), .lean(workgroups: 5)] {
            let spec = try AttentionSpec.attention(heads: 2, headDim: 32, tokens: [20], keyTokens: [8]).masked(.causal)
                .tiled(query: [8], key: [4]).scheduled(schedule).validated()
            let result = try SharedOpenCL.get().run(randomInputs(spec, seed: 4))
            for i in 0..<12 {
                #expect(result.lse[[0, i, 0]] == -.infinity)
                #expect((0..<32).allSatisfy { result.output[[0, i, 0, $0]] == 0 })
            }
            #expect(result.lse[[0, 12, 0]].isFinite)
        }
    }
}
