/// A batch of sequences of different lengths packed along one token axis (FlashAttention's
/// `cu_seqlens`): sequence `b` owns queries `queryOffsets[b] ..< queryOffsets[b + 1]` and keys
/// `keyOffsets[b] ..< keyOffsets[b + 1]`, and a query sees only keys of its own sequence, under
/// a window around that sequence's bottom-right aligned diagonal: with `i`, `j` local to the
/// sequence and `Sq`, `Sk` its lengths, `i + Sk − Sq − left <= j <= i + Sk − Sq + right`
/// (`−1` leaves a side unbounded: `(−1, −1)` is dense, `(−1, 0)` causal).
///
/// Every query sees one interval of the packed keys, and the intervals' ends never decrease
/// from one query to the next (an empty interval is kept at its sequence's place), so the tile
/// plan classifies packed tiles the way it does causal ones, and the plan, the lean and
/// split-KV partitions and the simulator work on the true lengths.
public struct VariableLengths: Hashable, Sendable {
    /// `sequences + 1` nondecreasing query offsets, from 0 to the packed query count.
    public var queryOffsets: [Int]
    /// `sequences + 1` nondecreasing key offsets, from 0 to the packed key count.
    public var keyOffsets: [Int]
    public var left: Int
    public var right: Int

    public init(queryOffsets: [Int], keyOffsets: [Int], left: Int = -1, right: Int = -1) {
        self.queryOffsets = queryOffsets
        self.keyOffsets = keyOffsets
        self.left = left
        self.right = right
    }

    /// Offsets from per-sequence lengths.
    public init(queryLengths: [Int], keyLengths: [Int], left: Int = -1, right: Int = -1) {
        self.init(queryOffsets: Self.offsets(queryLengths), keyOffsets: Self.offsets(keyLengths), left: left, right: right)
    }

    /// Running sums from 0, wrapping rather than trapping: negative lengths or an overflow
    /// leave offsets that validation refuses, naming them.
    static func offsets(_ lengths: [Int]) -> [Int] { lengths.reduce(into: [0]) { $0.append($0.last! &+ $1) } }

    public var sequences: Int { queryOffsets.count - 1 }

    /// The sequence that owns packed query `query`.
    public func sequence(ofQuery query: Int) -> Int {
        // The last offset <= query; empty sequences before it share that offset and own nothing.
        var (lo, hi) = (0, queryOffsets.count - 1)
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if queryOffsets[mid] <= query { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// The packed key on query `query`'s diagonal: `i + Sk − Sq` in its own sequence (local
    /// `i`, lengths `Sq`, `Sk`), as a packed index; it may lie outside the sequence.
    public func diagonal(query: Int) -> Int {
        let b = sequence(ofQuery: query)
        return query + keyOffsets[b + 1] - queryOffsets[b + 1]
    }

    /// The packed keys `first ... last` query `query` sees; empty (`last == first − 1`) when it
    /// sees none, placed inside its sequence so that both ends stay nondecreasing over queries.
    public func keyInterval(query: Int) -> (first: Int, last: Int) {
        let b = sequence(ofQuery: query)
        let (sq, sk) = (queryOffsets[b + 1] - queryOffsets[b], keyOffsets[b + 1] - keyOffsets[b])
        let diagonal = query - queryOffsets[b] + sk - sq
        let lo = min(sk, left < 0 ? 0 : max(0, diagonal - left))
        let hi = max(lo - 1, right < 0 ? sk - 1 : min(sk - 1, diagonal + right))
        return (keyOffsets[b] + lo, keyOffsets[b] + hi)
    }
}
