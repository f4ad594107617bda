/// One tile-level operation of a kernel. Operands are the kernel's fixed tile registers
/// (`Q`, `K`, `V`, `S`, the online-softmax state `m`, `l`, `acc`), so an op names what it does,
/// destination first, and the emitters and the interpreter agree on what each op means.
public indirect enum TileOp: Hashable, Sendable {
    /// For each work segment of this work-group (flash and split-KV: one; lean: one or more).
    case forEachSegment([TileOp])
    /// `Q ← q[batch, queryTile, head, :]`, widened to float32.
    case loadQuery
    /// `m ← −∞, l ← 0, acc ← 0`.
    case initState
    /// For each panel of the plan's key-tile visits in this segment's range: consecutive visits
    /// grouped until the next one would pass `keys` keys (a single visit may exceed it), so that
    /// small key tiles still make matrix products wide enough to run at speed.
    case forEachPanel(keys: Int, [TileOp])
    /// `K ← k[batch, panel's key tiles, kvHead(head), :]`, rows in visit order.
    case loadKey
    /// `V ← v[batch, panel's key tiles, kvHead(head), :]`.
    case loadValue
    /// `S ← scale · Q·Kᵀ`.
    case scores(scale: Double)
    /// `S ← modifiers(S)` on every visit of the panel (the spec's `ScoreModifiers`): softcap,
    /// then ALiBi's distance bias. Only in programs whose spec has modifiers.
    case modifyScores
    /// For the panel's PARTIAL visits only: `S[i][j] ← −∞` in their columns where the mask
    /// disallows (query i, key j). FULL visits are never masked.
    case maskPartial
    /// Online softmax: `m' = max(m, rowmax S)`, rescale `l` and `acc` by `exp(m − m')`,
    /// `S ← exp(S − m')`, `l += rowsum S`.
    case softmaxUpdate
    /// `acc ← acc + S·V`.
    case accumulate
    /// `O ← acc / l`, `lse ← m + log l` (0 and −∞ for rows that saw no key); store both.
    case storeOutput
    /// Store `(m, l, acc)` into this segment's partial slot.
    case storePartial
    /// For each partial slot of this work-group's output tile (merge kernel).
    case forEachPart([TileOp])
    /// Merge a partial into the state by log-sum-exp: `m' = max(m, mᵢ)`,
    /// `l = l·exp(m − m') + lᵢ·exp(mᵢ − m')`, `acc` likewise.
    case mergePartial
}
