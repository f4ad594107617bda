/// How the tile work is spread over work-groups.
public enum Schedule: Hashable, Sendable {
    /// FlashAttention: one work-group per (batch, head, query tile), online softmax over its key tiles.
    case flash
    /// Flash-Decoding: each query tile's key tiles split into `splits` chunks, merged by log-sum-exp.
    case splitKV(splits: Int)
    /// LeanAttention (stream-K): all (batch, head, query tile, key tile) work split evenly over
    /// `workgroups` work-groups; partial results merged by log-sum-exp.
    case lean(workgroups: Int)

    public var kind: String {
        switch self {
        case .flash: "flash"
        case .splitKV: "splitKV"
        case .lean: "lean"
        }
    }
}
