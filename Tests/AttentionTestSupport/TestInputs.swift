import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Foundation

/// Random inputs for `spec`, rounded to its storage type; `amplitude` scales q and k (large
/// logits), v stays in [-1, 1); a score bias, when the spec has one, is in [-2, 2).
public func randomInputs(_ spec: AttentionSpec, seed: UInt64, amplitude: Float = 1) throws -> AttentionInputs {
    var rng = SeededGenerator(seed: seed)
    return try AttentionInputs.random(spec, amplitude: amplitude, using: &rng)
}

/// `ATTNGEN_LONG_TESTS=1` turns on the checks too slow for CPU drivers in a debug build.
public enum LongTests {
    public static var enabled: Bool { ProcessInfo.processInfo.environment["ATTNGEN_LONG_TESTS"] == "1" }

    /// Whether `spec` should run now: always with long tests on, otherwise when the tiled
    /// program executes at most `gflop` GFLOP.
    public static func allow(_ spec: AttentionSpec, upToGFLOP gflop: Double) throws -> Bool {
        if enabled { return true }
        return try TilePlan(spec).executedFlops() <= gflop * 1e9
    }
}

/// Random backward inputs for `spec`: `randomInputs` plus an upstream gradient in [-1, 1).
public func randomGradientInputs(_ spec: AttentionSpec, seed: UInt64, amplitude: Float = 1) throws -> AttentionGradientInputs {
    let forward = try randomInputs(spec, seed: seed, amplitude: amplitude)
    var rng = SeededGenerator(seed: seed ^ 0x5EED_D0)
    return try AttentionGradientInputs(
        spec: spec, q: forward.q, k: forward.k, v: forward.v, bias: forward.bias, dOutput: .random(shape: spec.problem.outputTensorShape, using: &rng))
}

/// The specs of the backward sweeps: every mask kind (dense, causal with fully masked rows,
/// sliding window, 1-D/2-D/3-D neighborhoods with dilation, strides and causal axes, blocked
/// GNA, block-sparse), GQA and MQA, ragged edges, 16-bit storage, and split-KV and lean
/// schedules (the backward has its own decomposition; they must not matter).
public enum GradientSweep {
    public static let specs: [AttentionSpec] = {
        let layout = BlockSparseLayout(
            queryBlock: [16], keyBlock: [16], kvIndices: [[0], [1], [0, 2], [3]], fullIndices: [[], [0], [], [1]], causal: true)
        return [
            try! AttentionSpec.attention(batch: 2, heads: 6, kvHeads: 2, headDim: 40, tokens: [37], keyTokens: [53])
                .tiled(query: [16], key: [8]).validated(),
            // Sq > Sk, bottom-right causal: the first 12 query rows see no key.
            try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [20], keyTokens: [8]).masked(.causal)
                .tiled(query: [8], key: [4]).scheduled(.splitKV(splits: 2)).validated(),
            try! AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [40], dtype: .bfloat16)
                .masked(.slidingWindow(left: 12, right: 4)).tiled(query: [16], key: [16]).validated(),
            try! AttentionSpec.attention(heads: 3, kvHeads: 1, headDim: 16, tokens: [45])
                .masked(try! .neighborhood(window: [9], stride: [2], dilation: [2], causal: [false])).tiled(query: [8], key: [16]).validated(),
            try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 32, tokens: [11, 13])
                .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
                .tiled(query: [4, 4], key: [2, 8]).scheduled(.lean(workgroups: 5)).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 16, tokens: [6, 7, 9], dtype: .float16)
                .masked(try! .neighborhood(window: [3, 4, 5], stride: [1, 2, 5], dilation: [1, 1, 1], causal: [true, false, false]))
                .tiled(query: [2, 2, 4], key: [2, 4, 2]).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [8, 8]).masked(try! .neighborhood(window: [4, 4], stride: [4, 4]))
                .tiled(query: [4, 4], key: [4, 4]).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 64, tokens: [64]).masked(.blockSparse(layout)).validated(),
            try! AttentionSpec.attention(heads: 8, kvHeads: 2, headDim: 128, tokens: [1], keyTokens: [300])
                .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 7)).validated(),
        ]
    }()
}
