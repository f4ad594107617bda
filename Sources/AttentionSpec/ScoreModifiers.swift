import Foundation

/// What happens to a scaled score `s = scale·q·k` before the mask and the softmax, in this
/// order (FlashAttention-2's): the logit softcap of Gemma 2, `s ← softcap·tanh(s / softcap)`,
/// then ALiBi, `s ← s − slope[h]·|i + Sk − Sq − j|` for query `i`, key `j` and query head `h`
/// (the distance to the bottom-right aligned diagonal, as the causal mask aligns it), then an
/// additive bias tensor (PyTorch's float `attn_mask`), `s ← s + bias[b, h, i, j]`.
///
/// ALiBi is a 1-D position bias: a spec with a 2-D or 3-D token grid and ALiBi is invalid.
public struct ScoreModifiers: Hashable, Sendable {
    /// The cap; `nil`: no softcap.
    public var softcap: Double?
    /// One slope per query head; `nil`: no ALiBi.
    public var alibiSlopes: [Double]?
    /// How the bias tensor broadcasts; `nil`: no bias.
    public var bias: ScoreBias?

    public init(softcap: Double? = nil, alibiSlopes: [Double]? = nil, bias: ScoreBias? = nil) {
        self.softcap = softcap
        self.alibiSlopes = alibiSlopes
        self.bias = bias
    }

    public static let none = ScoreModifiers()

    public var isEmpty: Bool { softcap == nil && alibiSlopes == nil && bias == nil }

    /// The slopes of the ALiBi paper (Press et al., 2022) for `heads` heads: `2^(−8(h+1)/n)` for
    /// `n` a power of two; otherwise those of the largest power of two below `heads`, then every
    /// other slope of twice that power.
    public static func geometricSlopes(heads: Int) -> [Double] {
        guard heads > 0 else { return [] }
        func powerOfTwo(_ n: Int) -> [Double] {
            (1...n).map { exp2(-8 * Double($0) / Double(n)) }
        }
        var n = 1
        while n * 2 <= heads { n *= 2 }
        if n == heads { return powerOfTwo(n) }
        return powerOfTwo(n) + powerOfTwo(2 * n).enumerated().filter { $0.offset % 2 == 0 }.map(\.element).prefix(heads - n)
    }

    /// A one-line description (`softcap 30, ALiBi slopes 0.5…0.0039`), or nil when empty.
    public var summary: String? {
        var parts: [String] = []
        if let softcap { parts.append("softcap \(softcap)") }
        if let slopes = alibiSlopes, let first = slopes.first, let last = slopes.last {
            parts.append(slopes.count == 1 ? "ALiBi slope \(first)" : "ALiBi slopes \(first)…\(last)")
        }
        if let bias { parts.append("bias \(bias.summary)") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

/// How an additive bias tensor `[batch | 1, heads | 1, queryTokens, keyTokens]` (float32, flat
/// tokens) broadcasts: one matrix per batch entry or one for the whole batch, one per query
/// head or one for all heads. Entries may be −∞ (that pair is masked) and are added to the
/// score after softcap and ALiBi.
public struct ScoreBias: Hashable, Sendable {
    public var perBatch: Bool
    public var perHead: Bool

    public init(perBatch: Bool = false, perHead: Bool = true) {
        self.perBatch = perBatch
        self.perHead = perHead
    }

    /// The bias tensor's shape for `problem`.
    public func shape(for problem: AttentionProblem) -> [Int] {
        [perBatch ? problem.batch : 1, perHead ? problem.heads : 1, problem.queryTokens, problem.keyTokens]
    }

    /// The flat element of pair (query, key) of `batch` and query `head`.
    public func index(batch: Int, head: Int, query: Int, key: Int, problem: AttentionProblem) -> Int {
        (((perBatch ? batch : 0) * (perHead ? problem.heads : 1) + (perHead ? head : 0)) * problem.queryTokens + query) * problem.keyTokens + key
    }

    var summary: String { "[\(perBatch ? "B" : "1"), \(perHead ? "H" : "1"), Sq, Sk]" }
}

extension AttentionSpec {
    /// The key on query `query`'s bottom-right aligned diagonal, from which ALiBi measures its
    /// distances: `query + Sk − Sq`, or with a varlen mask its own sequence's (`VariableLengths.diagonal`).
    public func alibiDiagonal(query: Int) -> Int {
        if case .varlen(let lengths) = mask { return lengths.diagonal(query: query) }
        return query + problem.keyTokens - problem.queryTokens
    }

    /// Checks the score modifiers against the problem.
    func validateScores() throws(SpecError) {
        if let bias = scores.bias {
            try require(
                (checkedProduct(bias.shape(for: problem)) ?? .max) <= AttentionSpec.maxTensorElements, "scores.bias", bias.summary,
                "the bias tensor \(bias.shape(for: problem)) has more than 2^40 elements")
        }
        if let softcap = scores.softcap {
            // Kernels compute in float32: the cap and its reciprocal must both be normal floats there.
            try require(
                softcap.isFinite && softcap >= Double(Float.leastNormalMagnitude) && softcap <= 1 / Double(Float.leastNormalMagnitude),
                "scores.softcap", softcap, "must be a number > 0 within float32's range (\(Float.leastNormalMagnitude) to \(1 / Float.leastNormalMagnitude))")
        }
        guard let slopes = scores.alibiSlopes else { return }
        guard slopes.count == problem.heads else {
            throw .invalidValue(
                field: "scores.alibiSlopes", value: "\(slopes.count) slopes",
                reason: "needs one slope per query head (problem.heads = \(problem.heads))")
        }
        for (head, slope) in slopes.enumerated() {
            try require(
                slope.isFinite && abs(slope) <= Double(Float.greatestFiniteMagnitude), "scores.alibiSlopes[\(head)]", slope,
                "must be finite in float32 (at most \(Float.greatestFiniteMagnitude) in magnitude)")
        }
        guard problem.rank == 1 else {
            throw .invalidValue(
                field: "scores.alibiSlopes", value: "\(slopes.count) slopes",
                reason: "ALiBi is a 1-D position bias, but the token grid \(problem.queryShape) has \(problem.rank) axes")
        }
    }
}
