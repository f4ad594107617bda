import AttentionSpec

/// The score modifiers (`ScoreModifiers`), written once for both dialects: compile-time
/// constants (the cap, one ALiBi slope per query head) and the statements that apply them to a
/// scaled score, in `ScoreModifiers`' order: softcap, then ALiBi. An empty one emits nothing, so
/// programs without modifiers keep their text.
public struct ScoreLowering: Hashable, Sendable {
    public let softcap: Float?
    public let slopes: [Float]?
    /// How the bias tensor broadcasts (the `bias` buffer, float32).
    public let bias: ScoreBias?

    /// ALiBi measures from each query's own sequence's diagonal, read from the varlen mask table.
    public let diagonalsInMaskTable: Bool

    public init(_ spec: AttentionSpec) {
        let modifiers = spec.scores
        softcap = modifiers.softcap.map(Float.init)
        slopes = modifiers.alibiSlopes?.map(Float.init)
        bias = modifiers.bias
        if case .varlen = spec.mask { diagonalsInMaskTable = modifiers.alibiSlopes != nil } else { diagonalsInMaskTable = false }
    }

    public var isEmpty: Bool { softcap == nil && slopes == nil && bias == nil }

    /// The program section of the constants, at file scope (`SOFTCAP`, `ALIBI_SLOPES[heads]`):
    /// one text, or none for an empty one.
    public func section(_ d: KernelDialect) -> [String] {
        guard !isEmpty else { return [] }
        var lines = [
            d.comment("---- Score modifiers ---------------------------------------------------------------------------"),
            d.comment("s <- SOFTCAP * tanh(s / SOFTCAP), then s <- s - ALIBI_SLOPES[head] * |query + Sk - Sq - key|, then s <- s + bias[b, h, query, key]"),
        ]
        if let softcap { lines.append(d.floatConstant("SOFTCAP", softcap)) }
        if let slopes { lines.append(d.floatArray("ALIBI_SLOPES", slopes)) }
        return [lines.joined(separator: "\n")]
    }

    /// The softcap on `value` (a float or float-vector lvalue holding scaled scores), as a
    /// statement; with `derivative`, also declares that float holding `1 − tanh²` (scalars only).
    public func softcapped(_ value: String, derivative: String? = nil) -> [String] {
        guard softcap != nil else { return [] }
        guard let derivative else { return ["\(value) = SOFTCAP * tanh(\(value) * (1.0f / SOFTCAP));"] }
        return [
            "const float \(derivative)_tanh = tanh(\(value) * (1.0f / SOFTCAP));",
            "const float \(derivative) = 1.0f - \(derivative)_tanh * \(derivative)_tanh;",
            "\(value) = SOFTCAP * \(derivative)_tanh;",
        ]
    }

    /// ALiBi, then the bias tensor, on the float lvalue `value` for flat tokens `query` and `key`
    /// of `batch` and query head `head` (int expressions), as statements; `valid` (a bool
    /// expression) guards pairs whose key may be past the panel (those are masked to −∞
    /// afterwards anyway).
    public func biased(
        _ d: KernelDialect, _ value: String, batch: String, query: String, key: String, head: String, valid: String? = nil
    ) -> [String] {
        var statements: [String] = []
        if slopes != nil {
            let diagonal = diagonalsInMaskTable ? d.plan("mask_table", "3 * (\(query)) + 2") : "\(query) + \(d.scalar("key_tokens")) - \(d.scalar("query_tokens"))"
            let distance = "abs(\(diagonal) - \(key))"
            statements.append("\(value) -= ALIBI_SLOPES[\(head)] * \(d.toFloat(distance));")
        }
        if let bias {
            let matrix = "\(bias.perBatch ? batch : "0") * \(bias.perHead ? d.scalar("heads") : "1") + \(bias.perHead ? head : "0")"
            let index = "(\(d.index(matrix)) * \(d.index(d.scalar("query_tokens"))) + \(d.index(query))) * \(d.index(d.scalar("key_tokens"))) + \(d.index(key))"
            statements.append("\(value) += \(d.buffer("bias"))[\(index)];")
        }
        return statements.map { statement in valid.map { "if (\($0)) \(statement)" } ?? statement }
    }
}
