import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import Foundation

/// Random inputs for `spec`, rounded to its storage type; `amplitude` scales q and k (large
/// logits), v stays in [-1, 1).
public func randomInputs(_ spec: AttentionSpec, seed: UInt64, amplitude: Float = 1) throws -> AttentionInputs {
    var rng = SeededGenerator(seed: seed)
    let p = spec.problem
    return try AttentionInputs(
        spec: spec, q: .random(shape: p.queryTensorShape, amplitude: amplitude, using: &rng),
        k: .random(shape: p.keyTensorShape, amplitude: amplitude, using: &rng), v: .random(shape: p.valueTensorShape, using: &rng))
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
