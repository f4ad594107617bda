import AttentionPlan
import AttentionSpec

/// The tile-level program for a spec: the kernels, in dispatch order, that compute it.
///
/// Flash writes the output directly. Split-KV and lean write one partial `(m, l, acc)` per
/// work segment and a second kernel merges them by log-sum-exp, so no work-group ever waits
/// for another (OpenCL and Vulkan give no forward-progress guarantee between work-groups).
public struct KernelProgram: Hashable, Sendable {
    public let spec: AttentionSpec
    public let kernels: [KernelFunction]

    public init(spec: AttentionSpec) {
        self.spec = spec
        let p = spec.problem
        let keyLoop: [TileOp] = [.loadKey, .loadValue, .scores(scale: p.effectiveScale)]
            + (spec.scores.isEmpty ? [] : [.modifyScores]) + [.maskPartial, .softmaxUpdate, .accumulate]
        let attend: [TileOp] = [.loadQuery, .initState, .forEachPanel(keys: Self.panelKeys(spec), keyLoop)]
        switch spec.schedule {
        case .flash:
            kernels = [KernelFunction(
                name: "attention_flash", workgroups: .perOutputTile, body: [.forEachSegment(attend + [.storeOutput])])]
        case .splitKV(let splits):
            kernels = [
                KernelFunction(
                    name: "attention_split_kv", workgroups: .perOutputTileTimes(splits),
                    body: [.forEachSegment(attend + [.storePartial])]),
                Self.merge,
            ]
        case .lean(let workgroups):
            kernels = [
                KernelFunction(name: "attention_lean", workgroups: .fixed(workgroups), body: [.forEachSegment(attend + [.storePartial])]),
                Self.merge,
            ]
        }
    }

    /// Keys per panel (`AttentionSpec.panelKeys`).
    public static func panelKeys(_ spec: AttentionSpec) -> Int { spec.panelKeys }

    private static let merge = KernelFunction(
        name: "merge_partials", workgroups: .perOutputTile, body: [.initState, .forEachPart([.mergePartial]), .storeOutput])
}

/// One kernel of a program: what each work-group does and how many there are.
public struct KernelFunction: Hashable, Sendable {
    public let name: String
    public let workgroups: WorkgroupCount
    public let body: [TileOp]
}

/// How many work-groups a kernel is dispatched with.
public enum WorkgroupCount: Hashable, Sendable {
    /// One per (batch, head, query tile).
    case perOutputTile
    /// `n` per (batch, head, query tile).
    case perOutputTileTimes(Int)
    /// A machine-sized grid, independent of the problem.
    case fixed(Int)

    /// How the count follows from the problem, as manifests and headers print it.
    public var formula: String {
        switch self {
        case .perOutputTile: "batch * heads * queryTiles"
        case .perOutputTileTimes(let n): "batch * heads * queryTiles * \(n)"
        case .fixed(let n): "\(n) (fixed grid)"
        }
    }

    /// The count for a plan.
    public func count(outputTiles: Int) -> Int {
        switch self {
        case .perOutputTile: outputTiles
        case .perOutputTileTimes(let n): outputTiles * n
        case .fixed(let n): n
        }
    }
}
