/// An explicit block-sparse mask, after PyTorch FlexAttention's `BlockMask`.
///
/// The token grids are cut into blocks (boxes of `queryBlock` / `keyBlock` tokens per axis,
/// clipped at the grid's edge, numbered row-major over the block grid). Query block `b`
/// attends to the key blocks in `kvIndices[b]` and `fullIndices[b]`. A key in a listed block
/// is visible unless `causal` is set, in which case the dense bottom-right causal rule is
/// applied on top, element by element. `fullIndices` are blocks the caller asserts need no
/// element mask (FlexAttention's full blocks); validation checks that assertion.
public struct BlockSparseLayout: Hashable, Sendable {
    public var queryBlock: [Int]
    public var keyBlock: [Int]
    /// Per query block: key blocks that may need an element mask (FlexAttention's partial blocks).
    public var kvIndices: [[Int]]
    /// Per query block: key blocks needing no element mask. Empty means none are declared.
    public var fullIndices: [[Int]]
    /// Intersect with the dense bottom-right causal mask.
    public var causal: Bool

    public init(queryBlock: [Int], keyBlock: [Int], kvIndices: [[Int]], fullIndices: [[Int]] = [], causal: Bool = false) {
        self.queryBlock = queryBlock
        self.keyBlock = keyBlock
        self.kvIndices = kvIndices
        self.fullIndices = fullIndices
        self.causal = causal
    }

    /// All key blocks listed for a query block (partial and full), sorted, without repeats.
    public func listedKeyBlocks(ofQueryBlock block: Int) -> [Int] {
        var all = kvIndices[block]
        if block < fullIndices.count { all += fullIndices[block] }
        return Array(Set(all)).sorted()
    }
}
