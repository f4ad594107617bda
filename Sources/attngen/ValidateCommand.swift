import ArgumentParser
import AttentionGen

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a spec and print a one-screen summary.",
        discussion: """
            Exits 0 for a valid spec; otherwise prints the error, naming the bad field and value, and exits 1.
            Example:
              attngen validate Kernels/specs/neighborhood-2d-dilated.json
            """)

    @OptionGroup var spec: SpecArgument

    func run() throws {
        print(SpecSummary(try spec.load()).text)
    }
}

/// A human summary of a validated spec.
struct SpecSummary {
    let spec: AttentionSpec
    init(_ spec: AttentionSpec) { self.spec = spec }

    var text: String {
        let p = spec.problem
        var lines = ["valid: \(spec.summary)", ""]
        lines.append("problem   batch \(p.batch), heads \(p.heads), kvHeads \(p.kvHeads) (\(p.headsPerKVHead) query heads per kv head)")
        lines.append("          headDim \(p.headDim), valueDim \(p.valueDim), dtype \(p.dtype.rawValue)\(p.outputDtype == .float32 ? "" : ", output \(p.outputDtype.rawValue)"), scale \(p.effectiveScale)\(p.scale == nil ? " (1/sqrt(headDim))" : "")")
        lines.append("          queries \(gridText(p.queryShape)) = \(p.queryTokens) tokens, keys \(gridText(p.keyShape)) = \(p.keyTokens) tokens")
        if let pages = p.pages {
            // The pages the sequences reach (not the slot table: it may be large).
            let reached = Set(zip(spec.keySequences, pages.pageTable).flatMap { keys, row in row.prefix(pages.pages(holding: keys.count)) })
            lines.append("          keys in a paged cache: \(pages.pageCount) pages of \(pages.pageSize) tokens, \(pages.pageTable.count) page-table rows; \(reached.count) pages reached")
        }
        lines.append("mask      \(maskText)")
        if let softcap = spec.scores.softcap { lines.append("scores    softcap \(softcap): s <- softcap * tanh(s / softcap)") }
        if let slopes = spec.scores.alibiSlopes {
            lines.append("scores    ALiBi, s <- s - slope[h] * |i + Sk - Sq - j|, slopes \(slopes.map { "\($0)" }.joined(separator: ", "))")
        }
        lines.append("tiling    query tile \(gridText(spec.tiling.queryTile)), key tile \(gridText(spec.tiling.keyTile))")
        lines.append("schedule  \(spec.schedule.kind)\(scheduleDetail)")
        lines.append("tensors   q \(p.queryTensorShape)  k \(p.keyTensorShape)  v \(p.valueTensorShape)")
        lines.append("          out \(p.outputTensorShape)  lse \(p.lseTensorShape)")
        return lines.joined(separator: "\n")
    }

    private var maskText: String {
        switch spec.mask {
        case .dense: return "dense"
        case .causal: return "causal (bottom-right aligned: key j visible iff j <= i + Sk - Sq)"
        case .slidingWindow(let left, let right):
            let side = { (n: Int) in n < 0 ? "unbounded" : "\(n)" }
            return "sliding window, left \(side(left)), right \(side(right))"
        case .neighborhood(let axes):
            return "neighborhood " + axes.enumerated().map { axis, a in
                "axis \(axis): window \(a.window) stride \(a.stride) dilation \(a.dilation)\(a.causal ? " causal" : "")"
            }.joined(separator: "; ")
        case .varlen(let lengths):
            let side = { (n: Int) in n < 0 ? "unbounded" : "\(n)" }
            let lengthsText = { (offsets: [Int]) in
                let lengths = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
                return "\(lengths.min() ?? 0)…\(lengths.max() ?? 0)"
            }
            return "varlen, \(lengths.sequences) packed sequences (queries \(lengthsText(lengths.queryOffsets)), keys \(lengthsText(lengths.keyOffsets)) each), "
                + "window left \(side(lengths.left)), right \(side(lengths.right)) around each sequence's bottom-right diagonal"
        case .blockSparse(let layout):
            let listed = layout.kvIndices.indices.map { layout.listedKeyBlocks(ofQueryBlock: $0).count }.reduce(0, +)
            return "block-sparse, blocks \(gridText(layout.queryBlock))/\(gridText(layout.keyBlock)), "
                + "\(listed) listed block pairs over \(layout.kvIndices.count) query blocks\(layout.causal ? ", causal" : "")"
        }
    }

    private var scheduleDetail: String {
        switch spec.schedule {
        case .flash: " (one work-group per query tile)"
        case .splitKV(let splits): " into \(splits) splits per query tile, merged by log-sum-exp"
        case .lean(let workgroups): " over \(workgroups) work-groups (stream-K), merged by log-sum-exp"
        }
    }
}
