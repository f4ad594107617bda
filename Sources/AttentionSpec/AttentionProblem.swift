import AttentionTensors

/// The shapes of one attention call: who attends to whom, in what storage precision.
///
/// Tensors are laid out `[batch, tokens..., heads, headDim]` (token axes row-major), as
/// FlashAttention's `(B, S, H, D)` and NATTEN's `[B, X, Y, Z, H, D]`.
public struct AttentionProblem: Hashable, Sendable {
    public var batch: Int
    public var heads: Int
    /// Key/value heads; query head `h` reads key/value head `h / (heads / kvHeads)` (GQA/MQA).
    public var kvHeads: Int
    public var headDim: Int
    public var valueDim: Int
    /// The query token grid, 1 to 3 axes.
    public var queryShape: [Int]
    /// The key/value token grid, same number of axes as `queryShape`.
    public var keyShape: [Int]
    /// Storage precision of q, k and v.
    public var dtype: ElementType
    /// Precision of the output tensor (rounded to nearest even); the lse is always float32.
    public var outputDtype: ElementType
    /// Softmax scale; `nil` means `1 / sqrt(headDim)`.
    public var scale: Double?
    /// A paged KV cache: K and V are `[pageCount, pageSize, kvHeads, dim]` pools read through a
    /// page table; `nil`: K and V are `[batch, *keyShape, kvHeads, dim]`.
    public var pages: KeyValuePages?

    public init(
        batch: Int = 1, heads: Int, kvHeads: Int? = nil, headDim: Int, valueDim: Int? = nil,
        queryShape: [Int], keyShape: [Int]? = nil, dtype: ElementType = .float32, scale: Double? = nil,
        pages: KeyValuePages? = nil, outputDtype: ElementType = .float32
    ) {
        self.batch = batch
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.headDim = headDim
        self.valueDim = valueDim ?? headDim
        self.queryShape = queryShape
        self.keyShape = keyShape ?? queryShape
        self.dtype = dtype
        self.scale = scale
        self.pages = pages
        self.outputDtype = outputDtype
    }

    public var rank: Int { queryShape.count }
    public var queryTokens: Int { queryShape.reduce(1, *) }
    public var keyTokens: Int { keyShape.reduce(1, *) }
    /// The scale actually applied to `Q·Kᵀ`.
    public var effectiveScale: Double { scale ?? 1 / Double(headDim).squareRoot() }
    /// Query heads per key/value head.
    public var headsPerKVHead: Int { heads / kvHeads }
    public func kvHead(forQueryHead head: Int) -> Int { head / headsPerKVHead }

    public var queryTensorShape: [Int] { [batch] + queryShape + [heads, headDim] }
    /// The key tensor as given: the page pool when paged, otherwise `logicalKeyTensorShape`.
    public var keyTensorShape: [Int] { keyRowsShape + [kvHeads, headDim] }
    public var valueTensorShape: [Int] { keyRowsShape + [kvHeads, valueDim] }
    /// The keys as attention sees them, `[batch, *keyShape, kvHeads, headDim]` (the gradient dK's shape).
    public var logicalKeyTensorShape: [Int] { [batch] + keyShape + [kvHeads, headDim] }
    public var logicalValueTensorShape: [Int] { [batch] + keyShape + [kvHeads, valueDim] }
    private var keyRowsShape: [Int] { pages.map { [$0.pageCount, $0.pageSize] } ?? [batch] + keyShape }
    public var outputTensorShape: [Int] { [batch] + queryShape + [heads, valueDim] }
    public var lseTensorShape: [Int] { [batch] + queryShape + [heads] }
}
