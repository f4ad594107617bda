/// Which keys each query may see.
///
/// Dense causal and sliding-window masks follow FlashAttention (bottom-right aligned) on the
/// row-major flattened token index; neighborhood masks follow NATTEN/GNA per axis; a
/// block-sparse mask lists key blocks per query block. `MaskPredicate` evaluates all of them.
public enum AttentionMask: Hashable, Sendable {
    /// Every query sees every key.
    case dense
    /// Query `i` sees key `j` iff `j <= i + Sk - Sq` (flattened indices).
    case causal
    /// `i + Sk - Sq - left <= j <= i + Sk - Sq + right`; `-1` leaves that side unbounded.
    case slidingWindow(left: Int, right: Int)
    /// One entry per token axis; the mask is the AND of the per-axis masks.
    case neighborhood([NeighborhoodAxis])
    case blockSparse(BlockSparseLayout)
    /// Packed sequences of different lengths, each with its own dense, causal or sliding-window
    /// mask (`VariableLengths`).
    case varlen(VariableLengths)

    /// A neighborhood mask from per-axis lists; `stride`, `dilation` and `causal` default to
    /// 1, 1 and false on every axis. Lists must have one entry per axis of `window`.
    public static func neighborhood(
        window: [Int], stride: [Int]? = nil, dilation: [Int]? = nil, causal: [Bool]? = nil
    ) throws(SpecError) -> AttentionMask {
        func perAxis<T>(_ values: [T]?, _ field: String, _ fallback: T) throws(SpecError) -> [T] {
            guard let values else { return Array(repeating: fallback, count: window.count) }
            guard values.count == window.count else {
                throw .mismatchedRank(field: field, found: values.count, expected: window.count, reference: "mask.window")
            }
            return values
        }
        let strides = try perAxis(stride, "mask.stride", 1)
        let dilations = try perAxis(dilation, "mask.dilation", 1)
        let causals = try perAxis(causal, "mask.causal", false)
        return .neighborhood(window.indices.map { axis in
            NeighborhoodAxis(window: window[axis], stride: strides[axis], dilation: dilations[axis], causal: causals[axis])
        })
    }

    /// The JSON `kind` of this mask.
    public var kind: String {
        switch self {
        case .dense: "dense"
        case .causal: "causal"
        case .slidingWindow: "slidingWindow"
        case .neighborhood: "neighborhood"
        case .blockSparse: "blockSparse"
        case .varlen: "varlen"
        }
    }
}
