import AttentionPlan
import AttentionRuntime
import AttentionSpec
import KernelIR
import KernelLowering

/// The specs every strategy sweep runs: ragged edges, GQA, fully masked rows, a 2-D
/// neighborhood, decode with lean partials, 16-bit storage and a head dim (256) whose K and V
/// are staged in chunks.
public enum StrategySweep {
    public static let specs: [AttentionSpec] = [
        try! AttentionSpec.attention(batch: 2, heads: 6, kvHeads: 2, headDim: 40, tokens: [37], keyTokens: [53])
            .masked(.causal).tiled(query: [16], key: [8]).scheduled(.splitKV(splits: 3)).validated(),
        try! AttentionSpec.attention(heads: 2, headDim: 32, tokens: [20], keyTokens: [8]).masked(.causal).tiled(query: [8], key: [4]).validated(),
        try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 32, tokens: [11, 13])
            .masked(try! .neighborhood(window: [5, 7], stride: [1, 3], dilation: [2, 1], causal: [false, true]))
            .tiled(query: [4, 4], key: [2, 8]).scheduled(.lean(workgroups: 5)).validated(),
        try! AttentionSpec.attention(heads: 8, kvHeads: 2, headDim: 128, tokens: [1], keyTokens: [300])
            .tiled(query: [1], key: [64]).scheduled(.lean(workgroups: 7)).validated(),
        try! AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 64, tokens: [40], dtype: .bfloat16)
            .masked(.slidingWindow(left: 12, right: 4)).tiled(query: [16], key: [16]).validated(),
        try! AttentionSpec.attention(heads: 2, kvHeads: 1, headDim: 256, tokens: [24], keyTokens: [70])
            .tiled(query: [16], key: [32]).validated(),
    ]

    /// Strategies for `spec` on a device with `limits`: the one the picker chooses, a small
    /// micro-tile with its tile loops unrolled, the smallest stage (K and V in the smallest
    /// chunks), another micro-tile shape and, where the device shuffles within subgroups, the
    /// chosen blocking with its row invocations narrowed to one subgroup and reduced by shuffles.
    public static func strategies(for spec: AttentionSpec, limits: DeviceLimits) throws -> [KernelStrategy] {
        let facts = KernelFacts(plan: try TilePlan(spec))
        let fitting = KernelStrategy.candidates(for: limits, facts: facts).filter { $0.sharedMemoryBytes(facts) <= limits.sharedMemoryBytes }
        guard let chosen = fitting.first else { return [] }
        // Unrolled: the least code once expanded (scalars, the smallest stage): a large micro-tile
        // fully expanded takes llvmpipe's JIT and PoCL's compiler minutes.
        let expandedSize = { (s: KernelStrategy) in s.rowsPerThread * s.keysPerThread * s.headChunk * s.vectorWidth }
        let small = fitting.filter { $0.vectorWidth == 1 }.min { expandedSize($0) < expandedSize($1) } ?? chosen
        // Expanded code grows with the head dim: unrolled only up to d64, where it compiles in seconds.
        var result = facts.headDim <= 64 ? [chosen, small.unrolled(true)] : [chosen]
        if let smallest = fitting.min(by: { $0.stageFloats(facts) < $1.stageFloats(facts) }), smallest != chosen { result.append(smallest) }
        if let other = fitting.first(where: { $0.keysPerThread != chosen.keysPerThread || $0.keyThreads != chosen.keyThreads }) {
            result.append(other)
        }
        if let lanes = limits.subgroupSize, !result.contains(where: { $0.reduction == .subgroupShuffle }) {
            let keyThreads = min(chosen.keyThreads, lanes)
            let shuffled = KernelStrategy(
                rowThreads: chosen.rowThreads, keyThreads: keyThreads, rowsPerThread: chosen.rowsPerThread,
                keysPerThread: chosen.blockKeys / keyThreads, headChunk: chosen.headChunk, valueKeys: chosen.valueKeys,
                reduction: .subgroupShuffle, vectorWidth: chosen.vectorWidth)
            if shuffled.problem(with: facts) == nil, shuffled.problem(on: limits) == nil, shuffled.sharedMemoryBytes(facts) <= limits.sharedMemoryBytes {
                result.append(shuffled)
            }
        }
        return result
    }

    /// Runs spec `index` under every strategy for `limits` through `run` (a backend with that
    /// strategy); returns a line for each result outside the tolerance rule, and one when fewer
    /// than two strategies apply.
    public static func failures(
        index: Int, limits: DeviceLimits, _ run: (KernelStrategy, AttentionInputs) throws -> AttentionResult
    ) throws -> [String] {
        let spec = specs[index]
        let strategies = try strategies(for: spec, limits: limits)
        var failures = strategies.count >= 2 ? [] : ["\(spec.summary): only \(strategies.count) strategies"]
        if limits.subgroupSize != nil, !strategies.contains(where: { $0.reduction == .subgroupShuffle }) {
            failures.append("\(spec.summary): no strategy reduces rows by subgroup shuffles")
        }
        return failures + (try check(strategies, on: randomInputs(spec, seed: UInt64(index) + 11), rule: ToleranceRule(), run))
    }

    /// A line for each of `strategies` whose result on `inputs` is outside `rule`.
    public static func check(
        _ strategies: [KernelStrategy], on inputs: AttentionInputs, rule: ToleranceRule, _ run: (KernelStrategy, AttentionInputs) throws -> AttentionResult
    ) throws -> [String] {
        try strategies.compactMap { strategy in
            let report = rule.check(try run(strategy, inputs), for: inputs)
            return report.passed ? nil : "\(inputs.spec.summary) with \(strategy.compact): \(report)"
        }
    }
}
