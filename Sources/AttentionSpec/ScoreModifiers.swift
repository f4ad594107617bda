import Foundation

/// What happens to a scaled score `s = scale·q·k` before the mask and the softmax, in this
/// order (FlashAttention-2's): the logit softcap of Gemma 2, `s ← softcap·tanh(s / softcap)`,
/// then ALiBi, `s ← s − slope[h]·|i + Sk − Sq − j|` for query `i`, key `j` and query head `h`
/// (the distance to the bottom-right aligned diagonal, as the causal mask aligns it).
///
/// ALiBi is a 1-D position bias: a spec with a 2-D or 3-D token grid and ALiBi is invalid.
public struct ScoreModifiers: Hashable, Sendable {
    /// The cap; `nil`: no softcap.
    public var softcap: Double?
    /// One slope per query head; `nil`: no ALiBi.
    public var alibiSlopes: [Double]?

    public init(softcap: Double? = nil, alibiSlopes: [Double]? = nil) {
        self.softcap = softcap
        self.alibiSlopes = alibiSlopes
    }

    public static let none = ScoreModifiers()

    public var isEmpty: Bool { softcap == nil && alibiSlopes == nil }

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

    /// The ALiBi distance of query `query` to key `key` (flat tokens): `|query + Sk − Sq − key|`.
    public static func alibiDistance(query: Int, key: Int, queryTokens: Int, keyTokens: Int) -> Int {
        abs(query + keyTokens - queryTokens - key)
    }

    /// A one-line description (`softcap 30, ALiBi slopes 0.5…0.0039`), or nil when empty.
    public var summary: String? {
        var parts: [String] = []
        if let softcap { parts.append("softcap \(softcap)") }
        if let slopes = alibiSlopes, let first = slopes.first, let last = slopes.last {
            parts.append(slopes.count == 1 ? "ALiBi slope \(first)" : "ALiBi slopes \(first)…\(last)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension AttentionSpec {
    /// Checks the score modifiers against the problem.
    func validateScores() throws(SpecError) {
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
        if case .varlen = mask {
            throw .invalidValue(
                field: "scores.alibiSlopes", value: "\(slopes.count) slopes",
                reason: "ALiBi with a varlen mask is not supported yet (its distances would be per sequence)")
        }
        guard problem.rank == 1 else {
            throw .invalidValue(
                field: "scores.alibiSlopes", value: "\(slopes.count) slopes",
                reason: "ALiBi is a 1-D position bias, but the token grid \(problem.queryShape) has \(problem.rank) axes")
        }
    }
}
