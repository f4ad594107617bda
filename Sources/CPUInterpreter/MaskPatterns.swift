import AttentionPlan
import AttentionSpec
import CAttentionKernels

/// The masks of PARTIAL tile pairs as bits, evaluated once per (query rows, key rows) pair
/// instead of once per batch and head: a mask depends on token positions only, and the
/// predicate costs far more per score than `ag_mask_bits` applying the bits.
///
/// Pairs come in groups (the forward: per query tile, its visits; the backward's key-tile pass:
/// per key tile, its visitors). A pair's pattern is `rows × keys` bits, 16 a word, each row
/// starting a new word; bit set = the key is visible.
final class MaskPatterns: @unchecked Sendable {
    /// The rows and keys of one PARTIAL pair, as the scores hold them.
    typealias Pair = (queries: TileRows, keys: TileRows)

    /// Per group and pair, the pattern's first word; nil for pairs that are not PARTIAL.
    private let offsets: [[Int?]]
    private let words: UnsafeMutablePointer<UInt16>

    /// The bytes patterns may take before pairs are masked as they are visited instead (the
    /// memory estimate counts up to this much per pass).
    static let budget = MemoryEstimate.maskBitBudget

    /// nil when no pair is PARTIAL or the patterns would exceed `budget` bytes.
    init?(_ predicate: MaskPredicate, pairs: [[Pair?]], budget: Int) {
        var offsets: [[Int?]] = []
        var total = 0
        for group in pairs {
            offsets.append(group.map { pair in
                guard let pair else { return nil }
                defer { total += pair.queries.count * Self.rowWords(pair.keys.count) }
                return total
            })
            guard total * 2 <= budget else { return nil }
        }
        guard total > 0 else { return nil }
        let groups = offsets
        self.offsets = groups
        words = .allocate(capacity: total)
        let shared = SharedPointer(pointer: words)
        parallelFor(groups.count) { range in
            for group in range {
                for (pair, offset) in zip(pairs[group], groups[group]) {
                    guard let pair, let offset else { continue }
                    Self.evaluate(predicate, pair, into: shared.pointer + offset)
                }
            }
        }
    }

    /// The forward's pairs: every PARTIAL visit of every query tile, on its trimmed keys.
    convenience init?(_ interpreter: CPUInterpreter, budget: Int) {
        let pairs = interpreter.visits.enumerated().map { tile, visits in
            visits.indices.map { visit -> Pair? in
                visits[visit].tileClass == .partial ? (interpreter.queryRows[tile], interpreter.keys(tile, visit: visit)) : nil
            }
        }
        self.init(interpreter.predicate, pairs: pairs, budget: budget)
    }

    deinit { words.deallocate() }

    static func rowWords(_ keys: Int) -> Int { (keys + 15) / 16 }

    /// The pattern of pair `index` of group `group`, nil when that pair is not PARTIAL.
    func pattern(_ group: Int, _ index: Int) -> UnsafePointer<UInt16>? {
        offsets[group][index].map { UnsafePointer(words + $0) }
    }

    /// Runs the predicate on zero scores of the pair and keeps which stayed finite.
    private static func evaluate(_ predicate: MaskPredicate, _ pair: Pair, into words: UnsafeMutablePointer<UInt16>) {
        let (queries, keys) = (pair.queries.tokens, pair.keys.tokens)
        let scores = zeroedBuffer(queries.count * keys.count)
        defer { scores.deallocate() }
        predicate.maskTile(queries: queries, keys: keys, scores: scores, ld: keys.count)
        let rowWords = Self.rowWords(keys.count)
        for r in 0..<queries.count {
            let row = words + r * rowWords
            row.update(repeating: 0, count: rowWords)
            for j in 0..<keys.count where scores[r * keys.count + j] != -.infinity { row[j / 16] |= 1 << UInt16(j % 16) }
        }
    }
}
