import AttentionSpec
import Foundation

/// Upper bounds, in bytes, of what each use of a plan allocates, computed from counts alone
/// (nothing listed, saturating instead of overflowing) so that a refusal costs nothing.
public struct MemoryEstimate: Hashable, Sendable {
    /// q, k, v, output and log-sum-exp as float32 (the host copies a run makes or reads).
    public let tensors: Int
    /// `(m, l, acc)` partial slots of split-KV and lean.
    public let partials: Int
    /// The plan as flat integer tables (token lists, visits, segments, block table).
    public let planTables: Int
    /// Per-work-group tile registers of the CPU interpreter, one set per core.
    public let scratch: Int
    /// The float64 reference and the float32 baseline of the tolerance rule.
    public let reference: Int
    /// The backward's own tensors: dO, dQ, dK, dV and the row sums D, plus head-major copies of
    /// Q and dO, as float32.
    public let gradients: Int
    /// The CPU interpreter's rearranged K and V (Kᵀ per key tile, V head-major), at most.
    public let rearranged: Int
    /// The CPU interpreter's PARTIAL masks as bits (one bit per score of a PARTIAL tile pair),
    /// at most `maskBitBudget`: past it the interpreter masks pairs as it visits them.
    public let maskBits: Int

    /// The bytes of mask bits one pass of the CPU interpreter keeps.
    public static let maskBitBudget = 64 << 20

    public init(plan: TilePlan) {
        let p = plan.spec.problem
        let tiling = plan.spec.effectiveTiling
        let float = 4
        let product = Int.saturatingProduct
        let shapes = [p.queryTensorShape, p.keyTensorShape, p.valueTensorShape, p.outputTensorShape, p.lseTensorShape]
            + (plan.spec.scores.bias.map { [$0.shape(for: p)] } ?? [])
        let elements = shapes.reduce(0) { $0.addingSaturating(checkedProduct($1) ?? .max) }
        tensors = product(elements, float)

        let outputTiles = product(p.batch, p.heads, plan.queryTiles.count)
        let slots: Int
        let workgroups: Int
        switch plan.spec.schedule {
        case .flash: (slots, workgroups) = (0, 0)
        case .splitKV(let splits): (slots, workgroups) = (product(outputTiles, splits), product(outputTiles, splits))
        // Each work-group border splits at most one output tile once more.
        case .lean(let count): (slots, workgroups) = (outputTiles.addingSaturating(count), count)
        }
        let rows = checkedProduct(tiling.queryTile) ?? .max
        partials = product(slots, rows, p.valueDim + 2, float)

        let tokenLists = (p.queryTokens + plan.queryTiles.count + p.keyTokens + plan.keyTiles.count + 2)
        let visits = product(plan.visitBound, 2)
        let segments = product(workgroups.addingSaturating(outputTiles), 7)
        var blocks = 0
        if case .blockSparse(let layout) = plan.spec.mask {
            let count = { (shape: [Int], block: [Int]) in checkedProduct(zip(shape, block).map { ($0 - 1) / $1 + 1 }) ?? .max }
            blocks = product(count(p.queryShape, layout.queryBlock), count(p.keyShape, layout.keyBlock))
        }
        // A paged spec's pool row per logical key (8 bytes on the host, 4 on a device).
        let keySlots = p.pages == nil ? 0 : product(p.batch, p.keyTokens, 2)
        planTables = product(
            [tokenLists, visits, segments, outputTiles, blocks, keySlots].reduce(0) { $0.addingSaturating($1) }, float)

        let keys = plan.spec.hostPanelKeys
        let perWorkgroup = [product(rows, p.headDim + p.valueDim + 4), product(keys, p.headDim + p.valueDim), product(rows, keys)]
            .reduce(0) { $0.addingSaturating($1) }
        scratch = product(perWorkgroup, float, ProcessInfo.processInfo.activeProcessorCount)

        // Output and lse in float64 and float32, one row of scores and visibility per query.
        let outputs = (checkedProduct(p.outputTensorShape) ?? .max).addingSaturating(checkedProduct(p.lseTensorShape) ?? .max)
        let logicalKeyValues = (checkedProduct(p.logicalKeyTensorShape) ?? .max).addingSaturating(checkedProduct(p.logicalValueTensorShape) ?? .max)
        // The reference gathers a paged cache's pools into the logical layout first.
        reference = product(outputs, 12).addingSaturating(product(p.keyTokens, 9))
            .addingSaturating(p.pages == nil ? 0 : product(logicalKeyValues, float))
        let gradientElements = [p.outputTensorShape, p.queryTensorShape, p.keyTensorShape, p.valueTensorShape, p.lseTensorShape]
            .reduce(0) { $0.addingSaturating(checkedProduct($1) ?? .max) }
        let queryAndUpstream = (checkedProduct(p.queryTensorShape) ?? .max).addingSaturating(checkedProduct(p.outputTensorShape) ?? .max)
        gradients = product(gradientElements.addingSaturating(queryAndUpstream), float)
        rearranged = product(logicalKeyValues, float)
        // Every visit counted as PARTIAL, its rows a query tile's, 16 keys of its tile a word.
        let keyTile = checkedProduct(tiling.keyTile) ?? .max
        let words = product(plan.visitBound, rows, keyTile / 16 + 1)
        maskBits = plan.spec.mask == .dense ? 0 : min(Self.maskBitBudget, product(words, 2))
    }

    /// What a run allocates beyond the caller's tensors: device or rounded copies of them, the
    /// partials, the plan tables and the interpreter's registers and mask bits.
    public var run: [(String, Int)] {
        [("tensor copies", tensors), ("partials", partials), ("plan tables", planTables), ("work-group registers", scratch),
         ("rearranged K and V", rearranged), ("mask bits", maskBits)]
    }

    /// What a backward run allocates: a forward run's (it recomputes the forward when not
    /// given it), the gradient tensors, the transposed plan and its pass's mask bits.
    public var backward: [(String, Int)] {
        run + [("gradients", gradients), ("transposed plan", planTables), ("key-tile mask bits", maskBits)]
    }

    /// What writing inputs for the spec allocates.
    public var inputs: [(String, Int)] { [("input tensors", tensors)] }

    /// What emitting kernels allocates.
    public var emit: [(String, Int)] { [("plan tables", planTables)] }

    /// What checking a result against the reference allocates.
    public var verify: [(String, Int)] { [("reference", reference)] }
}
