/// Questions the emitters ask of a program, answered once here.
extension KernelFunction {
    /// Whether `op` occurs anywhere in the body.
    public func contains(_ op: TileOp) -> Bool { body.contains { $0.contains(op) } }

    /// The scale of the body's `scores` op.
    public var scale: Double? { body.lazy.compactMap(\.scale).first }
}

extension TileOp {
    /// Whether this op is `op` or holds it in its body.
    public func contains(_ op: TileOp) -> Bool {
        if self == op { return true }
        switch self {
        case .forEachSegment(let body), .forEachPanel(_, let body), .forEachPart(let body): return body.contains { $0.contains(op) }
        default: return false
        }
    }

    /// The scale of this op or of the first `scores` op in its body.
    public var scale: Double? {
        switch self {
        case .scores(let scale): scale
        case .forEachSegment(let body), .forEachPanel(_, let body), .forEachPart(let body): body.lazy.compactMap(\.scale).first
        default: nil
        }
    }
}
