import AttentionPlan
import AttentionSpec
import CAttentionKernels
import KernelIR
import RuntimeSupport

/// Runs a `KernelProgram` on the host: work-groups spread over all cores, tile math in the
/// SIMD micro-kernels of `CAttentionKernels` (AVX-512, AVX2 or portable C, chosen at run time).
///
/// It executes the program's ops one by one over the plan's tiles, so it tests the tiling
/// itself: which tiles are visited, where masks apply, how partials merge.
public final class CPUInterpreter: Sendable {
    public let plan: TilePlan
    public let program: KernelProgram
    let partition: WorkPartition
    let queryRows: [TileRows]
    let keyRows: [TileRows]
    let visits: [[KeyTileVisit]]
    /// Per query tile, the key rows of each of its visits (indexed as `visits`): a PARTIAL visit's
    /// key tile trimmed to the keys some query of the tile may see (`MaskPredicate.visibleKeys`),
    /// where that drops any.
    let visitKeys: [[TileRows]]
    let predicate: MaskPredicate
    /// First partial slot of each output tile; the last entry is the slot count.
    let slotBase: [Int]
    /// Whether a run rearranges K and V first (`KeyValueCopies`): only when each key tile is
    /// visited often enough to repay the copy (decode reads each key once per query head; a copy
    /// would double its memory traffic).
    let copiesKeys: Bool
    /// Dense GQA specs whose queries fit one tile run packed (`GQAPacking`).
    let packing: GQAPacking?
    /// A paged spec's pool row of every logical key (`AttentionSpec.keySlots`).
    let keySlots: SlotTable?
    /// The attention kernel's work-groups in head gangs, when K and V are read in place from
    /// rows that interleave several kv heads (`HeadLockstep`).
    let lockstep: HeadLockstep?
    /// The PARTIAL visits' mask bits, evaluated on the first run (`MaskPatterns`), within this
    /// many bytes.
    let maskPatternBudget: Int
    private let patterns = Locked<(evaluated: Bool, value: MaskPatterns?)>((false, nil))

    public convenience init(spec: AttentionSpec) throws(SpecError) {
        try self.init(spec: spec, headLockstep: true)
    }

    /// `headLockstep: false` runs every work-group on its own, and `maskPatternBudget` bounds the
    /// bytes of mask bits the plan keeps (tests compare both orders, and masking with and
    /// without the bits).
    init(spec: AttentionSpec, headLockstep: Bool, maskPatternBudget: Int = MaskPatterns.budget) throws(SpecError) {
        self.maskPatternBudget = maskPatternBudget
        plan = try TilePlan(spec)
        program = KernelProgram(spec: spec)
        partition = WorkPartition(plan: plan)
        queryRows = TileRows.all(of: plan.queryTiles)
        keyRows = TileRows.all(of: plan.keyTiles)
        visits = (0..<plan.queryTiles.count).map(plan.visits(forQueryTile:))
        let predicate = MaskPredicate(mask: spec.mask, problem: spec.problem)
        self.predicate = predicate
        let (queryRows, keyRows) = (self.queryRows, self.keyRows)
        visitKeys = visits.enumerated().map { tile, visits in
            visits.map { visit in
                guard visit.tileClass == .partial,
                    let kept = predicate.visibleKeys(ofQueries: queryRows[tile].tokens, among: keyRows[visit.keyTile].tokens)
                else { return keyRows[visit.keyTile] }
                return TileRows(tokens: kept)
            }
        }
        var base = [0]
        if partition.needsMerge {
            for tile in 0..<partition.outputTileCount { base.append(base.last! + partition.partCount(ofOutputTile: tile)) }
        }
        slotBase = base
        // Visits per key tile and kv head: query tiles visiting it times the query heads sharing it.
        let visitsPerKeyTile = Double(visits.reduce(0) { $0 + $1.count } * spec.problem.headsPerKVHead) / Double(max(1, plan.keyTiles.count))
        copiesKeys = visitsPerKeyTile >= Self.visitsRepayingACopy
        packing = GQAPacking(spec, headLockstep: headLockstep)
        keySlots = spec.keySlots.map(SlotTable.init)
        // Only the attention kernel (its body walks segments) and only over rows read in place.
        if headLockstep, !copiesKeys, spec.problem.kvHeads > 1, let attention = program.kernels.first,
            case .forEachSegment = attention.body.first {
            lockstep = HeadLockstep(partition: partition, workgroups: attention.workgroups.count(outputTiles: partition.outputTileCount))
        } else {
            lockstep = nil
        }
    }

    /// Visits per key tile from which rearranging K and V once beats packing Kᵀ on every visit
    /// (measured: dense 4096 gains 1.8×; 128k-key decode with 4 heads per kv head loses 2.7×).
    static let visitsRepayingACopy = 8.0

    /// Which micro-kernel implementation runs: "avx512", "avx2" or "scalar".
    public static var instructionSet: String { String(cString: ag_kernels_isa()) }

    /// Computes attention. Buffers hold the spec's tensors in C order: `q`, `k`, `v` as float32
    /// values (already rounded to the storage type), `bias` the score bias when the spec has one;
    /// `output` and `lse` are written. With `storageCheck`, `k` and `v` need not be rounded yet:
    /// every row the run reads is checked against the check's type as the run reads it (after
    /// the product that loaded it, or as K and V are rearranged), and the result stands for the
    /// rounded inputs only when the check passed.
    public func run(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>? = nil,
        output: UnsafeMutableBufferPointer<Float>, lse: UnsafeMutableBufferPointer<Float>, trace: InterpreterTrace? = nil,
        storageCheck: StorageCheck? = nil
    ) {
        let p = plan.spec.problem
        // A trace records this spec's own plan, so a traced run is never packed.
        if let packing, trace == nil {
            packing.run(p, q: q, k: k, v: v, output: output, lse: lse, storageCheck: storageCheck)
            return
        }
        guard let qBase = q.baseAddress, let kBase = k.baseAddress, let vBase = v.baseAddress,
            let outBase = output.baseAddress, let lseBase = lse.baseAddress
        else { return }
        let slots = keySlots?.pointer
        let keys = TensorRows(base: kBase, tokens: p.keyTokens, heads: p.kvHeads, width: p.headDim, slots: slots)
        let values = TensorRows(base: vBase, tokens: p.keyTokens, heads: p.kvHeads, width: p.valueDim, slots: slots)
        let buffers = Buffers(
            q: TensorRows(base: qBase, tokens: p.queryTokens, heads: p.heads, width: p.headDim),
            k: keys, v: values,
            copies: copiesKeys ? KeyValueCopies(keyRows: keyRows, k: keys, v: values, batch: p.batch, storageCheck: storageCheck) : nil,
            storageCheck: storageCheck, maskPatterns: maskPatterns(),
            bias: bias?.baseAddress, output: SharedPointer(pointer: outBase), lse: SharedPointer(pointer: lseBase),
            partials: PartialStore(slots: slotBase.last!, rows: maxQueryRows, valueDim: p.valueDim))
        defer { buffers.partials.deallocate() }
        for (index, kernel) in program.kernels.enumerated() {
            if index == 0, let lockstep {
                parallelFor(lockstep.gangs.count) { gangs in
                    var states: [WorkgroupState] = []
                    for gang in gangs.lazy.map({ lockstep.gangs[$0] }) {
                        while states.count < gang.count { states.append(newState()) }
                        var contexts = zip(gang, states).map { ExecutionContext(workgroup: $0, state: $1, buffers: buffers, trace: trace) }
                        executeInLockstep(kernel.body, &contexts)
                    }
                }
                continue
            }
            parallelFor(kernel.workgroups.count(outputTiles: partition.outputTileCount)) { workgroups in
                let state = newState()
                for workgroup in workgroups {
                    var context = ExecutionContext(workgroup: workgroup, state: state, buffers: buffers, trace: trace)
                    execute(kernel.body, &context)
                }
            }
        }
    }

    /// One work-group's registers, sized for this plan's largest tiles and panels.
    private func newState() -> WorkgroupState {
        let p = plan.spec.problem
        return WorkgroupState(
            maxQueries: maxQueryRows, maxKeys: max(maxKeyRows, plan.spec.hostPanelKeys), headDim: p.headDim, valueDim: p.valueDim)
    }

    /// This plan's mask bits: evaluated by the first run that needs them, shared by later ones.
    func maskPatterns() -> MaskPatterns? {
        patterns.withLock { state in
            if !state.evaluated { state = (true, MaskPatterns(self, budget: maskPatternBudget)) }
            return state.value
        }
    }

    /// The key rows query tile `queryTile` computes in its visit number `visit`.
    func keys(_ queryTile: Int, visit: Int) -> TileRows { visitKeys[queryTile][visit] }

    var maxQueryRows: Int { queryRows.map(\.count).max() ?? 0 }
    var maxKeyRows: Int { keyRows.map(\.count).max() ?? 0 }
}

/// Integers the interpreter reads through a pointer for its whole life.
final class SlotTable: Sendable {
    nonisolated(unsafe) let pointer: UnsafePointer<Int>

    init(_ values: [Int]) {
        let storage = UnsafeMutablePointer<Int>.allocate(capacity: max(1, values.count))
        storage.initialize(from: values, count: values.count)
        pointer = UnsafePointer(storage)
    }

    deinit { pointer.deallocate() }
}

/// The tensors and partial slots one run reads and writes.
struct Buffers: @unchecked Sendable {
    let q: TensorRows
    let k: TensorRows
    let v: TensorRows
    /// K and V rearranged for contiguous tile reads, when the key tiles are runs of tokens.
    let copies: KeyValueCopies?
    /// Checks the K and V rows the run reads against their storage type, when the caller did not.
    let storageCheck: StorageCheck?
    /// The PARTIAL visits' masks as bits, when the plan keeps them.
    let maskPatterns: MaskPatterns?
    /// The score bias, when the spec has one.
    let bias: UnsafePointer<Float>?
    let output: SharedPointer<Float>
    let lse: SharedPointer<Float>
    let partials: PartialStore
}

/// `(m, l, acc)` per partial slot, each slot sized for the largest query tile.
struct PartialStore: @unchecked Sendable {
    let rows: Int
    let valueDim: Int
    let m: UnsafeMutablePointer<Float>
    let l: UnsafeMutablePointer<Float>
    let acc: UnsafeMutablePointer<Float>

    init(slots: Int, rows: Int, valueDim: Int) {
        self.rows = rows
        self.valueDim = valueDim
        m = .allocate(capacity: max(1, slots * rows))
        l = .allocate(capacity: max(1, slots * rows))
        acc = .allocate(capacity: max(1, slots * rows * valueDim))
    }

    func deallocate() {
        m.deallocate()
        l.deallocate()
        acc.deallocate()
    }
}
