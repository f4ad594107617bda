import AttentionRuntime
import AttentionSpec
import AttentionTensors

/// `spec` with its keys moved into a paged pool of `pageSize`-token pages: the pages needed
/// plus `spare` unused ones, in a shuffled order, with table rows padded by `padding` entries.
/// `sharePrefix`: every sequence's first page is sequence 0's (a shared prompt prefix).
public func pagedVariant(
    of spec: AttentionSpec, pageSize: Int, seed: UInt64, spare: Int = 3, padding: Int = 1, sharePrefix: Bool = false
) -> AttentionSpec {
    var rng = SeededGenerator(seed: seed)
    let needed = spec.keySequences.map { ($0.count + pageSize - 1) / pageSize }
    let count = needed.reduce(0, +) + spare
    var pool = Array(0..<count)
    pool.shuffle(using: &rng)
    var next = 0
    var table: [[Int]] = []
    for pages in needed {
        table.append(Array(pool[next..<(next + pages)]) + Array(repeating: count - 1, count: padding))
        next += pages
    }
    if sharePrefix {
        for s in table.indices.dropFirst() where !table[s].isEmpty && !table[0].isEmpty { table[s][0] = table[0][0] }
    }
    return spec.paged(pageSize: pageSize, pageCount: count, pageTable: table)
}

/// Logical `[batch, keys, kvHeads, width]` rows written into a paged spec's pool (rows of no
/// page stay `fill`); the inverse of `AttentionSpec.logicalKeysAndValues` when no page is shared.
public func pooledKeyRows(_ logical: [Float], of spec: AttentionSpec, width: Int, fill: Float = 0) -> [Float] {
    guard let slots = spec.keySlots, let pages = spec.problem.pages else { return logical }
    let row = spec.problem.kvHeads * width
    var pool = [Float](repeating: fill, count: pages.poolTokens * row)
    for (logicalRow, slot) in slots.enumerated() {
        pool.replaceSubrange((slot * row)..<((slot + 1) * row), with: logical[(logicalRow * row)..<((logicalRow + 1) * row)])
    }
    return pool
}
