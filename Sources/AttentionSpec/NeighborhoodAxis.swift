/// One axis of a neighborhood / Generalized Neighborhood Attention (GNA) mask.
///
/// A multi-axis neighborhood mask is the AND of its per-axis masks. The window rule here is
/// the single definition every other layer (plan, interpreter, emitted predicates,
/// simulator) derives from or is tested against.
public struct NeighborhoodAxis: Hashable, Sendable {
    /// Window size `K`: number of keys a query sees on this axis (non-causal).
    public var window: Int
    /// Stride `S`: queries in a stride group share their leader's window (1 = sliding).
    public var stride: Int
    /// Dilation `D`: tokens interact only within the same residue class mod `D`.
    public var dilation: Int
    public var causal: Bool

    public init(window: Int, stride: Int = 1, dilation: Int = 1, causal: Bool = false) {
        self.window = window
        self.stride = stride
        self.dilation = dilation
        self.causal = causal
    }

    /// The keys query `i` sees on an axis of `length` tokens: every `dilation`-th token
    /// from `first` to `last` (global coordinates, both inclusive, both in `i`'s dilation group).
    ///
    /// Rules (DESIGN.md): dilation first — token `x` is in group `x mod D` at local coordinate
    /// `x div D`, the group has `ceil((L - g) / D)` tokens; then, in local coordinates,
    /// non-causal: leader `min((i div S)·S + S div 2, n - 1)`, centre clamped to
    /// `[wl, n - 1 - wr]`, keys `centre - wl … centre + wr` (shifted inward, never clipped);
    /// causal: leader `min((i div S)·S + S - 1, n - 1)`, keys `max(leader - K + 1, 0) … i`.
    /// Requires a validated axis (`1 <= S <= K`, `K·D <= L`) and `0 <= i < length`.
    @inlinable
    public func keyWindow(query i: Int, length: Int) -> (first: Int, last: Int) {
        let group = i % dilation
        let local = i / dilation
        let groupLength = (length - group + dilation - 1) / dilation
        let lo: Int
        let hi: Int
        if causal {
            let leader = min((local / stride) * stride + stride - 1, groupLength - 1)
            lo = max(leader - window + 1, 0)
            hi = local
        } else {
            let wl = window / 2
            let wr = window - 1 - wl
            let leader = min((local / stride) * stride + stride / 2, groupLength - 1)
            let centre = min(max(leader, wl), groupLength - 1 - wr)
            lo = centre - wl
            hi = centre + wr
        }
        return (lo * dilation + group, hi * dilation + group)
    }

    /// Whether query `i` sees key `j` on this axis.
    @inlinable
    public func allows(query i: Int, key j: Int, length: Int) -> Bool {
        guard i % dilation == j % dilation else { return false }
        let w = keyWindow(query: i, length: length)
        return j >= w.first && j <= w.last
    }
}
