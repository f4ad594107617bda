import CAttentionKernels

/// K and V rearranged once per run so that the micro-kernels read every key tile contiguously,
/// when each key tile is a run of consecutive tokens (1-D tilings): Kᵀ per key tile as
/// `[batch·kvHeads, keyTiles, headDim, tileKeys]` (S = Q·Kᵀ then needs no per-visit packing,
/// and its rows are `tileKeys` apart, not `keyTokens`), and V per kv head as
/// `[batch·kvHeads, keyTokens, valueDim]` (rows `valueDim` apart, not `kvHeads·valueDim`).
final class KeyValueCopies: @unchecked Sendable {
    /// Tokens of a full key tile: key tile `t` holds tokens `t·tileKeys ..< (t + 1)·tileKeys`.
    let tileKeys: Int
    let keyTiles: Int
    let headDim: Int
    private let keysTransposed: UnsafeMutablePointer<Float>
    /// V by (batch · kvHeads + kv head) as the batch index and a single head.
    let values: HeadMajorCopy

    /// nil unless every key tile `t` is the run `t·T ..< t·T + count` with `T` the first tile's size.
    /// `storageCheck`: checks K and V as they are copied (the run then reads only the copies).
    init?(keyRows: [TileRows], k: TensorRows, v: TensorRows, batch: Int, storageCheck: StorageCheck? = nil) {
        guard let tileKeys = keyRows.first?.count, tileKeys > 0,
            keyRows.enumerated().allSatisfy({ $1.uniformStep == 1 && $1.tokens.first == $0 * tileKeys && $1.count <= tileKeys })
        else { return nil }
        self.tileKeys = tileKeys
        keyTiles = keyRows.count
        headDim = k.width
        let groups = batch * k.heads
        keysTransposed = .allocate(capacity: max(1, groups * keyTiles * headDim * tileKeys))
        // One (batch, kv head) group per work item: each writes its own Kᵀ blocks.
        let target = SharedPointer(pointer: keysTransposed)
        nonisolated(unsafe) let source = k
        let (keyTiles, headDim) = (keyTiles, headDim)
        parallelFor(groups) { items in
            for group in items {
                let (b, head) = group.quotientAndRemainder(dividingBy: source.heads)
                if let storageCheck { source.check(storageCheck, batch: b, head: head) }
                for tile in 0..<keyTiles {
                    let block = target.pointer + ((group * keyTiles + tile) * headDim) * tileKeys
                    let first = tile * tileKeys
                    let count = min(tileKeys, source.tokens - first)
                    if source.slots == nil {  // the tile's rows are evenly spaced: one blocked transpose
                        ag_transpose(
                            Int32(count), Int32(headDim), source.row(batch: b, token: first, head: head), Int32(source.heads * headDim), block,
                            Int32(tileKeys))
                        continue
                    }
                    for column in 0..<count {
                        let key = source.row(batch: b, token: first + column, head: head)
                        for x in 0..<headDim { block[x * tileKeys + column] = key[x] }
                    }
                }
            }
        }
        values = HeadMajorCopy(v, batch: batch, storageCheck: storageCheck)
    }

    deinit { keysTransposed.deallocate() }

    /// Kᵀ of key tile `tile` for `group` (batch · kvHeads + kv head): `headDim` rows `tileKeys`
    /// apart; column `c` is token `tile · tileKeys + c`.
    func keyBlock(group: Int, tile: Int) -> UnsafePointer<Float> {
        UnsafePointer(keysTransposed + ((group * keyTiles + tile) * headDim) * tileKeys)
    }
}

/// A `[batch, tokens, heads, width]` tensor copied head-major, `[batch · heads, tokens, width]`:
/// a tile of consecutive tokens of one head is then contiguous (`rows` reads it with batch index
/// `batch · heads + head` and head 0).
final class HeadMajorCopy: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Float>
    let rows: TensorRows

    init(_ source: TensorRows, batch: Int, storageCheck: StorageCheck? = nil) {
        storage = .allocate(capacity: max(1, batch * source.heads * source.tokens * source.width))
        // One (batch, head) group per work item: each writes its own contiguous rows.
        let target = SharedPointer(pointer: storage)
        nonisolated(unsafe) let source = source
        parallelFor(batch * source.heads) { items in
            for group in items {
                let (b, head) = group.quotientAndRemainder(dividingBy: source.heads)
                if let storageCheck { source.check(storageCheck, batch: b, head: head) }
                for token in 0..<source.tokens {
                    (target.pointer + (group * source.tokens + token) * source.width)
                        .update(from: source.row(batch: b, token: token, head: head), count: source.width)
                }
            }
        }
        rows = TensorRows(base: storage, tokens: source.tokens, heads: 1, width: source.width)
    }

    deinit { storage.deallocate() }
}
