import AttentionTensors

/// A fluent DSL that reads like the sentence it describes:
///
/// ```swift
/// let spec = try AttentionSpec
///     .attention(batch: 2, heads: 8, kvHeads: 2, headDim: 64, tokens: [32, 32])
///     .masked(.neighborhood(window: [7, 7], dilation: [1, 2], causal: [false, true]))
///     .tiled(query: [8, 8], key: [8, 8])
///     .scheduled(.lean(workgroups: 16))
///     .validated()
/// ```
extension AttentionSpec {
    /// Starts a spec: dense attention of `tokens` queries over `keyTokens` keys (default: the same grid).
    public static func attention(
        batch: Int = 1, heads: Int, kvHeads: Int? = nil, headDim: Int, valueDim: Int? = nil,
        tokens: [Int], keyTokens: [Int]? = nil, dtype: ElementType = .float32, scale: Double? = nil
    ) -> AttentionSpec {
        AttentionSpec(problem: AttentionProblem(
            batch: batch, heads: heads, kvHeads: kvHeads, headDim: headDim, valueDim: valueDim,
            queryShape: tokens, keyShape: keyTokens, dtype: dtype, scale: scale))
    }

    /// Replaces the mask. A tiling still at its default follows the new mask's default.
    public func masked(_ mask: AttentionMask) -> AttentionSpec {
        var copy = self
        copy.mask = mask
        if tiling == .default(for: problem, mask: self.mask) { copy.tiling = .default(for: problem, mask: mask) }
        return copy
    }

    public func tiled(query: [Int], key: [Int]) -> AttentionSpec {
        var copy = self
        copy.tiling = Tiling(queryTile: query, keyTile: key)
        return copy
    }

    public func scheduled(_ schedule: Schedule) -> AttentionSpec {
        var copy = self
        copy.schedule = schedule
        return copy
    }

    /// Caps the scaled scores: `s ← softcap·tanh(s / softcap)` (Gemma 2).
    public func softcapped(_ softcap: Double) -> AttentionSpec {
        var copy = self
        copy.scores.softcap = softcap
        return copy
    }

    /// Adds ALiBi's linear distance bias, one slope per query head (default: the ALiBi paper's
    /// geometric slopes for the spec's heads).
    public func alibi(slopes: [Double]? = nil) -> AttentionSpec {
        var copy = self
        copy.scores.alibiSlopes = slopes ?? ScoreModifiers.geometricSlopes(heads: problem.heads)
        return copy
    }

    /// Adds a bias tensor to the scores (`ScoreBias`): one matrix per batch entry or shared,
    /// one per query head or shared.
    public func biased(perBatch: Bool = false, perHead: Bool = true) -> AttentionSpec {
        var copy = self
        copy.scores.bias = ScoreBias(perBatch: perBatch, perHead: perHead)
        return copy
    }

    /// Reads K and V from a paged cache: pools of `pageCount` pages of `pageSize` tokens, with
    /// one row of `pageTable` per sequence (`KeyValuePages`).
    public func paged(pageSize: Int, pageCount: Int, pageTable: [[Int]]) -> AttentionSpec {
        var copy = self
        copy.problem.pages = KeyValuePages(pageSize: pageSize, pageCount: pageCount, pageTable: pageTable)
        return copy
    }

    /// Writes the output in `dtype` (rounded to nearest even); the lse stays float32.
    public func output(as dtype: ElementType) -> AttentionSpec {
        var copy = self
        copy.problem.outputDtype = dtype
        return copy
    }

    public func stored(as dtype: ElementType) -> AttentionSpec {
        var copy = self
        copy.problem.dtype = dtype
        return copy
    }
}
