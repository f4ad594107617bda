import AttentionPlan
import AttentionSpec
import AttentionTensors
import KernelIR

/// The compile-time constants of the generated OpenCL C: everything that is a `#define` in the
/// source. Two specs with equal configurations compile to the same program text (the sizes,
/// the scale and the plan travel as kernel arguments), so a driver's program cache serves both.
public struct OpenCLConfiguration: Hashable, Sendable {
    public let headDim: Int
    public let valueDim: Int
    /// Tokens of the largest query tile (tiles are clipped at the grid's edge).
    public let maxQueryRows: Int
    /// Tokens of the largest key tile.
    public let maxKeyRows: Int
    /// Key rows one panel holds: the IR's panel width, at least `maxKeyRows`.
    public let panelKeys: Int
    /// Work-items per work-group (the kernels require exactly this local size).
    public let workgroupSize: Int
    public let dtype: ElementType
    /// The mask's compile-time part: its kind and parameters (a block-sparse mask's block list is run-time data).
    public let mask: OpenCLMaskLowering

    public init(program: KernelProgram, plan: TilePlan, workgroupSize: Int = 64) {
        let p = program.spec.problem
        headDim = p.headDim
        valueDim = p.valueDim
        maxQueryRows = (0..<plan.queryTiles.count).map(plan.queryTiles.tokenCount(of:)).max() ?? 1
        maxKeyRows = (0..<plan.keyTiles.count).map(plan.keyTiles.tokenCount(of:)).max() ?? 1
        panelKeys = max(maxKeyRows, program.kernels.compactMap(\.panelKeys).max() ?? KernelProgram.panelKeys(program.spec))
        self.workgroupSize = workgroupSize
        dtype = p.dtype
        mask = OpenCLMaskLowering(mask: program.spec.mask, rank: p.rank)
    }

    /// The `#define`s of the configuration section, in source order.
    var defines: [(name: String, value: Int, comment: String)] {
        [
            ("HEAD_DIM", headDim, "query/key head dimension"),
            ("VALUE_DIM", valueDim, "value head dimension"),
            ("MAX_QUERY_ROWS", maxQueryRows, "tokens of the largest query tile"),
            ("MAX_KEY_ROWS", maxKeyRows, "tokens of the largest key tile"),
            ("PANEL_KEYS", panelKeys, "key rows one panel of consecutive visits holds"),
            ("WG_SIZE", workgroupSize, "work-items per work-group"),
        ]
    }

    /// Bytes of `__local` memory one attention work-group uses.
    public var attentionLocalMemoryBytes: Int {
        Self.localMemoryBytes(queryRows: maxQueryRows, panelKeys: panelKeys, headDim: headDim, valueDim: valueDim)
    }

    /// The tile registers Q, K, V, S, acc, the row state m, l, rescale and the query and panel
    /// token lists of one attention work-group.
    static func localMemoryBytes(queryRows: Int, panelKeys: Int, headDim: Int, valueDim: Int) -> Int {
        let floats = queryRows * headDim + panelKeys * headDim + panelKeys * valueDim + queryRows * panelKeys
            + queryRows * valueDim + 3 * queryRows
        return 4 * (floats + queryRows + panelKeys)
    }
}

extension KernelFunction {
    /// The panel width of this kernel's `forEachPanel`, if it has one.
    var panelKeys: Int? { body.lazy.compactMap(\.panelKeys).first }
}

extension TileOp {
    var panelKeys: Int? {
        switch self {
        case .forEachPanel(let keys, _): keys
        case .forEachSegment(let body), .forEachPart(let body): body.lazy.compactMap(\.panelKeys).first
        default: nil
        }
    }
}
