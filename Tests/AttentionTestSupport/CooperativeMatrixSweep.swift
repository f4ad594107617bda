import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import KernelIR
import KernelLowering

/// The strategy sweep's specs in 16-bit storage under the emulated cooperative-matrix strategy:
/// the same fragments, loads, stores and products as the real forms, written as loops over
/// shared memory, so every device (lavapipe) checks the real forms' indexing. Even specs store
/// float16, odd ones bfloat16; each runs at inputs ×1 and ×100 (large logits). The d256 spec
/// runs at d128: the emulated form holds its operands as 32-bit floats, so a d256 tile passes
/// lavapipe's 32 KiB of shared memory (the real forms' 16-bit operands fit 48 KiB). Two more
/// cover the mask kinds and modifiers the strategy sweep lacks: block-sparse with query blocks
/// that see no key (fully masked rows), and a packed varlen batch over a paged cache with
/// softcap, ALiBi and a bias tensor.
public enum CooperativeMatrixSweep {
    public static let specs: [AttentionSpec] = (StrategySweep.specs + extraSpecs).enumerated().map { index, spec in
        var spec = spec
        spec.problem.dtype = index % 2 == 0 ? .float16 : .bfloat16
        if spec.problem.headDim == 256 {
            spec.problem.headDim = 128
            spec.problem.valueDim = 128
        }
        return spec
    }

    static let extraSpecs: [AttentionSpec] = {
        let layout = BlockSparseLayout(
            queryBlock: [16], keyBlock: [16], kvIndices: [[], [1], [0, 2], [3], []], fullIndices: [[], [], [0], [1], []], causal: true)
        let lengths = VariableLengths(queryLengths: [1, 20, 0, 33], keyLengths: [150, 20, 30, 70], left: 40, right: 0)
        let varlen = AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [54], keyTokens: [270])
            .masked(.varlen(lengths)).tiled(query: [16], key: [16]).softcapped(30).alibi().biased()
        return [
            try! AttentionSpec.attention(heads: 2, headDim: 64, tokens: [80]).masked(.blockSparse(layout)).validated(),
            try! pagedVariant(of: varlen, pageSize: 32, seed: 7).validated(),
        ]
    }()

    /// Emulated strategies for `spec` that fit `limits`: 16×16×16 fragments over subgroups of 32
    /// lanes (the one the picker would build for a 32-lane device) and, where it differs, the
    /// smallest work-group's; and one over 16 lanes (each lane then holds 16 accumulator elements).
    public static func strategies(for spec: AttentionSpec, limits: DeviceLimits) throws -> [KernelStrategy] {
        let facts = KernelFacts(plan: try TilePlan(spec))
        let shape = CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: spec.problem.dtype, float32Accumulator: true)
        let fitting = { (lanes: Int) in
            KernelStrategy.cooperative(.emulated, shape: shape, lanes: lanes, device: limits, facts: facts)
                .filter { $0.sharedMemoryBytes(facts) <= limits.sharedMemoryBytes }
        }
        let wide = fitting(32), narrow = fitting(16)
        var result = Array(wide.prefix(1))
        if let last = wide.last, last != result.first { result.append(last) }
        if let first = narrow.first { result.append(first) }
        return result
    }

    /// Runs spec `index` under every emulated strategy through `run`; returns a line for each
    /// result outside the tolerance rule (P rounded to the operand type in the baseline), and
    /// one when fewer than two strategies apply.
    public static func failures(
        index: Int, limits: DeviceLimits, _ run: (KernelStrategy, AttentionInputs) throws -> AttentionResult
    ) throws -> [String] {
        let spec = specs[index]
        let strategies = try strategies(for: spec, limits: limits)
        var failures = strategies.count >= 2 ? [] : ["\(spec.summary): only \(strategies.count) emulated strategies"]
        let rule = ToleranceRule(probabilities: spec.problem.dtype)
        for amplitude: Float in [1, 100] {
            let inputs = try randomInputs(spec, seed: UInt64(index) + 29, amplitude: amplitude)
            failures += try StrategySweep.check(strategies, on: inputs, rule: rule, run).map { "×\(Int(amplitude)): \($0)" }
        }
        return failures
    }
}
