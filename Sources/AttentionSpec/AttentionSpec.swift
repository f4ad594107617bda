/// A complete description of one attention tiling: the problem, the mask, how the token grids
/// are tiled, and how the work is scheduled. Validate it with `validated()` before use.
public struct AttentionSpec: Hashable, Sendable {
    public var problem: AttentionProblem
    public var mask: AttentionMask
    public var tiling: Tiling
    public var schedule: Schedule
    /// Softcap and ALiBi, applied to the scaled scores before the mask.
    public var scores: ScoreModifiers

    public init(
        problem: AttentionProblem, mask: AttentionMask = .dense, tiling: Tiling? = nil, schedule: Schedule = .flash,
        scores: ScoreModifiers = .none
    ) {
        self.problem = problem
        self.mask = mask
        self.tiling = tiling ?? .default(for: problem, mask: mask)
        self.schedule = schedule
        self.scores = scores
    }

    /// A one-line summary, used in titles and headers.
    public var summary: String {
        let grid = { (shape: [Int]) in shape.map(String.init).joined(separator: "×") }
        var maskText = mask.kind
        if case .neighborhood(let axes) = mask {
            maskText += " window \(grid(axes.map(\.window))) stride \(grid(axes.map(\.stride)))"
                + " dilation \(grid(axes.map(\.dilation))) causal \(axes.map { $0.causal ? "1" : "0" }.joined())"
        } else if case .slidingWindow(let left, let right) = mask {
            maskText += " (\(left), \(right))"
        } else if case .varlen(let lengths) = mask {
            maskText += " \(lengths.sequences) sequences, window (\(lengths.left), \(lengths.right))"
        }
        let scheduleText: String
        switch schedule {
        case .flash: scheduleText = "flash"
        case .splitKV(let n): scheduleText = "splitKV(\(n))"
        case .lean(let g): scheduleText = "lean(\(g))"
        }
        let p = problem
        return "B\(p.batch) H\(p.heads)/\(p.kvHeads) d\(p.headDim)/\(p.valueDim) q[\(grid(p.queryShape))] k[\(grid(p.keyShape))]\(p.pages.map { " in \($0.pageCount)×\($0.pageSize) pages" } ?? "") "
            + "\(p.dtype.rawValue)\(p.outputDtype == .float32 ? "" : " → \(p.outputDtype.rawValue) out"), \(maskText)\(scores.summary.map { ", " + $0 } ?? ""), tiles \(grid(tiling.queryTile))/\(grid(tiling.keyTile)), \(scheduleText)"
    }
}
