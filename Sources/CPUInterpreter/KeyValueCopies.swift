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
    private let valueCopy: UnsafeMutablePointer<Float>
    /// V by (batch · kvHeads + kv head) as the batch index and a single head.
    let values: TensorRows

    /// nil unless every key tile `t` is the run `t·T ..< t·T + count` with `T` the first tile's size.
    init?(keyRows: [TileRows], k: TensorRows, v: TensorRows, batch: Int) {
        guard let tileKeys = keyRows.first?.count, tileKeys > 0,
            keyRows.enumerated().allSatisfy({ $1.uniformStep == 1 && $1.tokens.first == $0 * tileKeys && $1.count <= tileKeys })
        else { return nil }
        self.tileKeys = tileKeys
        keyTiles = keyRows.count
        headDim = k.width
        let groups = batch * k.heads
        keysTransposed = .allocate(capacity: max(1, groups * keyTiles * headDim * tileKeys))
        valueCopy = .allocate(capacity: max(1, groups * v.tokens * v.width))
        for b in 0..<batch {
            for head in 0..<k.heads {
                let group = b * k.heads + head
                for token in 0..<k.tokens {
                    let (tile, column) = token.quotientAndRemainder(dividingBy: tileKeys)
                    let key = k.row(batch: b, token: token, head: head)
                    let block = keysTransposed + ((group * keyTiles + tile) * headDim) * tileKeys + column
                    for x in 0..<headDim { block[x * tileKeys] = key[x] }
                    (valueCopy + (group * v.tokens + token) * v.width).update(from: v.row(batch: b, token: token, head: head), count: v.width)
                }
            }
        }
        values = TensorRows(base: valueCopy, tokens: v.tokens, heads: 1, width: v.width)
    }

    deinit {
        keysTransposed.deallocate()
        valueCopy.deallocate()
    }

    /// Kᵀ of key tile `tile` for `group` (batch · kvHeads + kv head): `headDim` rows `tileKeys`
    /// apart; column `c` is token `tile · tileKeys + c`.
    func keyBlock(group: Int, tile: Int) -> UnsafePointer<Float> {
        UnsafePointer(keysTransposed + ((group * keyTiles + tile) * headDim) * tileKeys)
    }
}
