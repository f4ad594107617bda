import AttentionSpec
import CAttentionKernels

/// The masks of a plan's PARTIAL visits as bits, evaluated once per (query tile, key tile)
/// instead of once per batch and head: a mask depends on token positions only, and the
/// predicate costs far more per score than `ag_mask_bits` applying the bits.
///
/// A visit's pattern is `rows × keys` bits (keys of the trimmed tile, as the scores hold
/// them), 16 a word, each row starting a new word; bit set = the key is visible.
final class MaskPatterns: @unchecked Sendable {
    /// Per query tile and visit (indexed as `CPUInterpreter.visits`), the pattern's first word;
    /// nil for visits that are not PARTIAL.
    private let offsets: [[Int?]]
    private let words: UnsafeMutablePointer<UInt16>

    /// The bytes patterns may take before a plan masks every visit as it goes instead.
    static let budget = 64 << 20

    /// nil when the plan has no PARTIAL visits or the patterns would exceed `budget` bytes.
    init?(_ interpreter: CPUInterpreter, budget: Int) {
        var offsets: [[Int?]] = []
        var total = 0
        for (tile, visits) in interpreter.visits.enumerated() {
            let rows = interpreter.queryRows[tile].count
            offsets.append(visits.indices.map { visit in
                guard visits[visit].tileClass == .partial else { return nil }
                defer { total += rows * Self.rowWords(interpreter.keys(tile, visit: visit).count) }
                return total
            })
            guard total * 2 <= budget else { return nil }
        }
        guard total > 0 else { return nil }
        let tiles = offsets
        self.offsets = tiles
        words = .allocate(capacity: total)
        let shared = SharedPointer(pointer: words)
        parallelFor(tiles.count) { range in
            for tile in range { Self.evaluate(interpreter, queryTile: tile, offsets: tiles[tile], into: shared.pointer) }
        }
    }

    deinit { words.deallocate() }

    static func rowWords(_ keys: Int) -> Int { (keys + 15) / 16 }

    /// The pattern of query tile `queryTile`'s visit number `visit`, nil when it is not PARTIAL.
    func pattern(queryTile: Int, visit: Int) -> UnsafePointer<UInt16>? {
        offsets[queryTile][visit].map { UnsafePointer(words + $0) }
    }

    /// Runs the predicate on zero scores of each PARTIAL visit and keeps which stayed finite.
    private static func evaluate(_ interpreter: CPUInterpreter, queryTile: Int, offsets: [Int?], into words: UnsafeMutablePointer<UInt16>) {
        let queries = interpreter.queryRows[queryTile].tokens
        for (visit, offset) in offsets.enumerated() {
            guard let offset else { continue }
            let keys = interpreter.keys(queryTile, visit: visit).tokens
            let scores = zeroedBuffer(queries.count * keys.count)
            defer { scores.deallocate() }
            interpreter.predicate.maskTile(queries: queries, keys: keys, scores: scores, ld: keys.count)
            let rowWords = Self.rowWords(keys.count)
            for r in 0..<queries.count {
                let row = words + offset + r * rowWords
                row.update(repeating: 0, count: rowWords)
                for j in 0..<keys.count where scores[r * keys.count + j] != -.infinity { row[j / 16] |= 1 << UInt16(j % 16) }
            }
        }
    }
}
