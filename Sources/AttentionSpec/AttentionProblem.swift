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
    public var dtype: ElementType
    /// Softmax scale; `nil` means `1 / sqrt(headDim)`.
    public var scale: Double?

    public init(
        batch: Int = 1, heads: Int, kvHeads: Int? = nil, headDim: Int, valueDim: Int? = nil,
        queryShape: [Int], keyShape: [Int]? = nil, dtype: ElementType = .float32, scale: Double? = nil
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
    public var keyTensorShape: [Int] { [batch] + keyShape + [kvHeads, headDim] }
    public var valueTensorShape: [Int] { [batch] + keyShape + [kvHeads, valueDim] }
    public var outputTensorShape: [Int] { [batch] + queryShape + [heads, valueDim] }
    public var lseTensorShape: [Int] { [batch] + queryShape + [heads] }
}
