import AttentionPlan
import AttentionSpec
import KernelIR
import AttentionTensors
import Foundation

/// How a device runs the attention kernel of a program: the work-group's shape, each
/// invocation's register micro-tile and where K and V are staged. Data, chosen per device by
/// `KernelStrategy.choose(for:facts:)`, written into every manifest and part of every cache key
/// (it is a field of both emitters' configurations), so that two devices that pick different
/// strategies never share a compiled program.
///
/// The work-group is a grid of `rowThreads × keyThreads` invocations over a query tile of
/// `tileRows` rows. Invocation `(rg, cg)` owns rows `rg + i·rowThreads` (`i < rowsPerThread`)
/// and, of each block of `blockKeys` keys, columns `cg + j·keyThreads` (`j < keysPerThread`) of
/// S, and the same rows × columns `cg + j·keyThreads` (`j < outputColumns`) of O: strided
/// micro-tiles, so neighbouring invocations touch neighbouring words of shared memory (what GPUs
/// and drivers that vectorise across invocations want). With `vectorWidth` > 1 the columns are
/// contiguous instead (`cg·keysPerThread + j`, `cg·outputColumns + j`) and held in vectors of
/// that width: what a CPU driver that vectorises inside each work-item (PoCL) wants.
public struct KernelStrategy: Hashable, Sendable, CustomStringConvertible {
    /// Invocations along the query rows.
    public let rowThreads: Int
    /// Invocations along the keys of a block (and the output columns); they share rows, so row
    /// maxima and sums are reduced across them.
    public let keyThreads: Int
    /// Rows of each invocation's micro-tile of S and O.
    public let rowsPerThread: Int
    /// Keys of each invocation's micro-tile of S.
    public let keysPerThread: Int
    /// Head-dimension elements of K staged in shared memory at once (the full head dimension,
    /// or a chunk of it where shared memory is small).
    public let headChunk: Int
    /// Keys of V staged in shared memory at once (the block, or a part of it).
    public let valueKeys: Int
    /// How the rows' maxima and sums are reduced across the `keyThreads` invocations that share
    /// them. Shared memory works everywhere.
    public let reduction: Reduction
    /// Whether the tile loops (head dimension, staged keys, loads) are unrolled. Unrolled, an
    /// invocation runs only the plan's loops, which keeps it under lavapipe's loop cap on long
    /// sequences; rolled, lavapipe's JIT and PoCL's compiler finish in seconds.
    public let unrolled: Bool
    /// Width of the vectors the micro-tile's rows are held in: 1 (strided scalars) or, with
    /// contiguous columns, 2 to 16 (OpenCL) or 4 (GLSL).
    public let vectorWidth: Int
    /// Cooperative-matrix products for S and O (the SIMT fields then shape the softmax), or nil.
    public let matrix: CooperativeMatrixStrategy?

    /// How the invocations that share a row (KEY_THREADS of them, adjacent lanes) combine their
    /// row maxima and sums.
    public enum Reduction: String, Hashable, Sendable {
        /// Through a work-group array and a barrier: every device.
        case sharedMemory
        /// A butterfly of subgroup shuffles (GLSL `subgroupShuffleXor`): no shared memory and no
        /// barrier; needs KEY_THREADS a power of two dividing the subgroup.
        case subgroupShuffle
    }

    public init(
        rowThreads: Int, keyThreads: Int, rowsPerThread: Int, keysPerThread: Int, headChunk: Int, valueKeys: Int,
        reduction: Reduction = .sharedMemory, unrolled: Bool = false, vectorWidth: Int = 1, matrix: CooperativeMatrixStrategy? = nil
    ) {
        self.matrix = matrix
        self.rowThreads = rowThreads
        self.keyThreads = keyThreads
        self.rowsPerThread = rowsPerThread
        self.keysPerThread = keysPerThread
        self.headChunk = headChunk
        self.valueKeys = valueKeys
        self.reduction = reduction
        self.unrolled = unrolled
        self.vectorWidth = vectorWidth
    }

    public var workgroupSize: Int { rowThreads * keyThreads }
    /// Query rows one work-group holds: at least the largest query tile.
    public var tileRows: Int { rowThreads * rowsPerThread }
    /// Keys one step of the key loop scores at once.
    public var blockKeys: Int { keyThreads * keysPerThread }
    /// Output columns of each invocation's micro-tile of O for `valueDim` columns.
    public func outputColumns(valueDim: Int) -> Int { (valueDim + keyThreads - 1) / keyThreads }

    /// The same strategy with the tile loops unrolled (or not).
    public func unrolled(_ unrolled: Bool) -> KernelStrategy {
        KernelStrategy(
            rowThreads: rowThreads, keyThreads: keyThreads, rowsPerThread: rowsPerThread, keysPerThread: keysPerThread,
            headChunk: headChunk, valueKeys: valueKeys, reduction: reduction, unrolled: unrolled, vectorWidth: vectorWidth, matrix: matrix)
    }

    /// The same strategy with another row reduction.
    public func reducing(by reduction: Reduction) -> KernelStrategy {
        KernelStrategy(
            rowThreads: rowThreads, keyThreads: keyThreads, rowsPerThread: rowsPerThread, keysPerThread: keysPerThread,
            headChunk: headChunk, valueKeys: valueKeys, reduction: reduction, unrolled: unrolled, vectorWidth: vectorWidth, matrix: matrix)
    }

    public var description: String {
        if let matrix {
            return "\(matrix); softmax on \(rowThreads)x\(keyThreads) invocations, micro-tile \(rowsPerThread)x\(keysPerThread), "
                + "\(tileRows) query rows, \(blockKeys) keys per step, \(reduction.rawValue) reduction, \(unrolled ? "unrolled" : "rolled") tile loops"
        }
        return "simt \(rowThreads)x\(keyThreads) invocations, micro-tile \(rowsPerThread)x\(keysPerThread), "
            + "\(blockKeys) keys per step, K staged \(headChunk) dims at a time, V \(valueKeys) keys at a time, "
            + "\(reduction.rawValue) reduction, \(unrolled ? "unrolled" : "rolled") tile loops"
            + (vectorWidth > 1 ? ", contiguous columns in vectors of \(vectorWidth)" : ", strided columns")
    }

    /// Bytes of shared memory one attention work-group uses: Q (transposed, one pad word per
    /// row of dims), the K/V stage, P, the reduction buffer and the query and panel token lists.
    public func sharedMemoryBytes(_ facts: KernelFacts) -> Int {
        if let layout = CooperativeMatrixLayout(self, facts) { return layout.sharedMemoryBytes }
        let reduction = self.reduction == .sharedMemory ? tileRows * keyThreads : 0
        let floats = facts.headDim * (tileRows + 1) + stageFloats(facts) + tileRows * blockKeys + reduction
        return 4 * (floats + tileRows + (facts.paged ? 3 : 2) * facts.panelKeys)
    }

    /// Floats of the stage that holds a K chunk (`headChunk × (blockKeys + 1)`, transposed) and,
    /// later in the same step, a V part (`valueKeys × keyThreads·outputColumns`).
    public func stageFloats(_ facts: KernelFacts) -> Int {
        max(headChunk * (blockKeys + 1), valueKeys * keyThreads * outputColumns(valueDim: facts.valueDim))
    }
}

/// The facts of a program the strategy and the lowering depend on, read once from its plan.
public struct KernelFacts: Hashable, Sendable {
    public let headDim: Int
    public let valueDim: Int
    /// Tokens of the largest query tile (tiles are clipped at the grid's edge).
    public let maxQueryRows: Int
    /// Key rows one panel of consecutive visits holds: the IR's panel width, at least `maxKeyRows`.
    public let panelKeys: Int
    /// Tokens of the largest key tile.
    public let maxKeyRows: Int
    /// K and V are paged pools read through the host-built `key_slots` table.
    public let paged: Bool
    /// The element type q, k and v are stored in (cooperative matrices take it as their operand type).
    public let storage: ElementType

    public init(
        headDim: Int, valueDim: Int, maxQueryRows: Int, panelKeys: Int, maxKeyRows: Int = 1, paged: Bool = false, storage: ElementType = .float32
    ) {
        self.storage = storage
        self.headDim = headDim
        self.valueDim = valueDim
        self.maxQueryRows = maxQueryRows
        self.panelKeys = panelKeys
        self.maxKeyRows = maxKeyRows
        self.paged = paged
    }

    /// The facts of `plan`'s spec.
    public init(plan: TilePlan) {
        let p = plan.spec.problem
        let maxKeyRows = (0..<plan.keyTiles.count).map(plan.keyTiles.tokenCount(of:)).max() ?? 1
        self.init(
            headDim: p.headDim, valueDim: p.valueDim,
            maxQueryRows: (0..<plan.queryTiles.count).map(plan.queryTiles.tokenCount(of:)).max() ?? 1,
            panelKeys: max(maxKeyRows, KernelProgram.panelKeys(plan.spec)), maxKeyRows: maxKeyRows, paged: p.pages != nil,
            storage: p.dtype)
    }
}

/// A configuration built on a program's facts (both emitters' configurations).
public protocol KernelFactsProviding {
    var facts: KernelFacts { get }
}

extension KernelFactsProviding {
    public var headDim: Int { facts.headDim }
    public var valueDim: Int { facts.valueDim }
    public var maxQueryRows: Int { facts.maxQueryRows }
    public var maxKeyRows: Int { facts.maxKeyRows }
    public var panelKeys: Int { facts.panelKeys }
}

/// What a device offers the attention kernel.
public struct DeviceLimits: Hashable, Sendable {
    /// Shared (local) memory of one work-group, in bytes.
    public var sharedMemoryBytes: Int
    /// Largest work-group.
    public var maxWorkgroupSize: Int
    /// Total loop iterations one invocation may run (lavapipe: 65,535), or nil.
    public var loopIterationCap: Int?
    /// The widest vectors worth holding micro-tile rows in: 1 for GPUs and drivers that
    /// vectorise across invocations; 16 for a CPU OpenCL driver (PoCL vectorises inside a
    /// work-item, measured 4-6x faster that way).
    public var vectorWidth: Int
    /// For a CPU Vulkan driver that runs a work-group as SIMD rows of this many lanes (lavapipe:
    /// 8 at 256 bits, its subgroup size; every shared-memory read is a gather): the strategy
    /// then gives each group of query rows one SIMD row and larger micro-tiles
    /// (`simdCandidates`). Nil for GPUs.
    public var simdInvocations: Int?
    /// Invocations per subgroup when compute shaders may shuffle within a subgroup (Vulkan's
    /// `shuffle` operations; OpenCL C 1.2 has none), else nil.
    public var subgroupSize: Int?
    /// The device's cooperative matrices, when it has them.
    public var cooperativeMatrix: CooperativeMatrixSupport?

    public init(
        sharedMemoryBytes: Int, maxWorkgroupSize: Int, loopIterationCap: Int? = nil, vectorWidth: Int = 1, simdInvocations: Int? = nil,
        subgroupSize: Int? = nil, cooperativeMatrix: CooperativeMatrixSupport? = nil
    ) {
        self.cooperativeMatrix = cooperativeMatrix
        self.subgroupSize = subgroupSize
        self.sharedMemoryBytes = sharedMemoryBytes
        self.maxWorkgroupSize = maxWorkgroupSize
        self.loopIterationCap = loopIterationCap
        self.vectorWidth = vectorWidth
        self.simdInvocations = simdInvocations
    }

    /// What every device offers: Vulkan's guaranteed 16 KiB is too small for most tiles, so the
    /// default is the 32 KiB nearly every device (lavapipe included) has.
    public static let portable = DeviceLimits(sharedMemoryBytes: 32768, maxWorkgroupSize: 256)
}

extension KernelStrategy {
    /// The strategy for a program on a device: the first of `candidates(for:facts:)` whose
    /// work-group fits the device's shared memory and work-group limit; nil when none does (the
    /// caller reports it, or retries with a smaller query tile). Where the device shuffles within
    /// subgroups, a strategy whose row invocations fit one subgroup reduces by shuffles.
    public static func choose(for device: DeviceLimits, facts: KernelFacts) -> KernelStrategy? {
        candidates(for: device, facts: facts).first { $0.sharedMemoryBytes(facts) <= device.sharedMemoryBytes }
    }

    /// Strategies in order of preference for `facts`: wide steps first, then K and V staged in
    /// smaller parts, then narrower steps. Micro-tiles of up to 4×4: four rows per invocation
    /// once the tile has them, the key invocations widened until the work-group has 64 or more
    /// invocations (decode's single row spreads its keys over 64 invocations).
    public static func candidates(for device: DeviceLimits, facts: KernelFacts) -> [KernelStrategy] {
        let rows = max(1, facts.maxQueryRows)
        var result = vectorCandidates(for: device, facts: facts) + simdCandidates(for: device, facts: facts)
        let matrices = cooperativeCandidates(for: device, facts: facts)
        for rowsPerThread in [4, 8, 16] where rowsPerThread == 4 || rows > 64 {
            let perThread = min(rowsPerThread, rows)
            let rowThreads = (rows + perThread - 1) / perThread
            for blockKeys in [64, 32, 16] {
                var keyThreads = min(blockKeys, 16)
                while rowThreads * keyThreads < 64 && keyThreads < blockKeys { keyThreads *= 2 }
                while rowThreads * keyThreads > device.maxWorkgroupSize && keyThreads > 1 { keyThreads /= 2 }
                guard rowThreads * keyThreads <= device.maxWorkgroupSize else { continue }
                let keysPerThread = blockKeys / keyThreads
                for headChunk in chunks(of: facts.headDim) {
                    for valueKeys in chunks(of: blockKeys) where valueKeys * 4 >= blockKeys || valueKeys >= 8 {
                        result.append(KernelStrategy(
                            rowThreads: rowThreads, keyThreads: keyThreads, rowsPerThread: perThread,
                            keysPerThread: keysPerThread, headChunk: headChunk, valueKeys: valueKeys))
                    }
                }
            }
        }
        // Shuffles first where they can run: no reduction array, no barrier.
        return (matrices + result).flatMap { [$0.reducing(by: .subgroupShuffle), $0] }.filter { $0.problem(on: device) == nil }
    }

    /// Contiguous-column strategies in vectors of the device's preferred width (and narrower):
    /// four rows per invocation, a block of 64 keys over 64 / width invocations (PoCL measured
    /// 4x16 in float16 vectors fastest). Only where the value dim splits evenly.
    private static func vectorCandidates(for device: DeviceLimits, facts: KernelFacts) -> [KernelStrategy] {
        guard device.vectorWidth > 1 else { return [] }
        let rowsPerThread = min(4, max(1, facts.maxQueryRows))
        let rowThreads = (max(1, facts.maxQueryRows) + rowsPerThread - 1) / rowsPerThread
        return [16, 8, 4].filter { $0 <= device.vectorWidth }.flatMap { width -> [KernelStrategy] in
            let keyThreads = 64 / width
            guard rowThreads * keyThreads <= device.maxWorkgroupSize else { return [] }
            return chunks(of: facts.headDim).flatMap { headChunk in
                chunks(of: 64).filter { $0 >= 16 }.map { valueKeys in
                    KernelStrategy(
                        rowThreads: rowThreads, keyThreads: keyThreads, rowsPerThread: rowsPerThread, keysPerThread: width,
                        headChunk: headChunk, valueKeys: valueKeys, vectorWidth: width)
                }
            }.filter { $0.problem(with: facts) == nil }
        }
    }

    /// For a CPU driver that runs each work-group as SIMD rows of `simdInvocations` lanes
    /// (lavapipe): one SIMD row per group of query rows, so a row's invocations are one
    /// subgroup, and micro-tiles of 8 rows × 4 keys (blocks of 4 × lanes keys). On lavapipe
    /// (dense, 1024 tokens, d64) `8x8,8x4,h16,v16,sg` ran 4.4× faster than the GPU shape
    /// `16x16,4x2,h16,v8`; 16×16 micro-tiles ran faster still but took llvmpipe's JIT minutes.
    private static func simdCandidates(for device: DeviceLimits, facts: KernelFacts) -> [KernelStrategy] {
        guard let lanes = device.simdInvocations, lanes >= 1 else { return [] }
        let rows = max(1, facts.maxQueryRows)
        let rowsPerThread = min(8, rows)
        let rowThreads = (rows + rowsPerThread - 1) / rowsPerThread
        let blockKeys = 4 * lanes
        guard rowThreads * lanes <= device.maxWorkgroupSize else { return [] }
        return chunks(of: facts.headDim).filter { $0 <= 16 || $0 == facts.headDim }.flatMap { headChunk in
            chunks(of: blockKeys).filter { $0 >= 8 && $0 * 2 >= blockKeys }.map { valueKeys in
                KernelStrategy(
                    rowThreads: rowThreads, keyThreads: lanes, rowsPerThread: rowsPerThread, keysPerThread: 4,
                    headChunk: headChunk, valueKeys: valueKeys)
            }
        }
    }

    /// `n`, then its halves while they divide it evenly and stay at least 8.
    private static func chunks(of n: Int) -> [Int] {
        var result = [n]
        var c = n
        while c % 2 == 0 && c / 2 >= 8 {
            c /= 2
            result.append(c)
        }
        return result
    }
}

extension KernelStrategy {
    /// The compact form `attngen` prints and `--strategy` / `ATTNGEN_STRATEGY` take:
    /// `ROWTHREADSxKEYTHREADS,ROWSxKEYS,hHEADCHUNK,vVALUEKEYS[,wWIDTH][,sg][,unrolled]`, e.g.
    /// `16x16,4x4,h64,v64` (`sg`: rows reduced by subgroup shuffles).
    public var compact: String {
        "\(rowThreads)x\(keyThreads),\(rowsPerThread)x\(keysPerThread),h\(headChunk),v\(valueKeys)"
            + (vectorWidth > 1 ? ",w\(vectorWidth)" : "") + (matrix.map { ",\($0.compact)" } ?? "")
            + (reduction == .subgroupShuffle ? ",sg" : "") + (unrolled ? ",unrolled" : "")
    }

    /// The compact form's grammar, for error messages.
    public static let compactFormat =
        "ROWTHREADSxKEYTHREADS,ROWSxKEYS,hHEADCHUNK,vVALUEKEYS[,wWIDTH][,coop:nv|khr|emulated:MxNxK:SUBGROUPSxLANES:f16|bf16][,sg][,unrolled]"

    /// Parses the compact form; nil when it is malformed or a count is below 1.
    public init?(compact text: String) {
        var parts = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let unrolled = parts.last == "unrolled"
        if unrolled { parts.removeLast() }
        let shuffled = parts.last == "sg"
        if shuffled { parts.removeLast() }
        var matrix: CooperativeMatrixStrategy?
        if let last = parts.last, last.hasPrefix("coop:") {
            guard let parsed = CooperativeMatrixStrategy(compact: last) else { return nil }
            matrix = parsed
            parts.removeLast()
        }
        var width = 1
        if parts.count == 5, let last = parts.last, last.first == "w", let w = Int(last.dropFirst()), [2, 3, 4, 8, 16].contains(w) {
            width = w
            parts.removeLast()
        }
        guard parts.count == 4 else { return nil }
        func pair(_ s: String) -> (Int, Int)? {
            let xs = s.split(separator: "x").compactMap { Int($0) }
            return xs.count == 2 && xs.allSatisfy({ $0 >= 1 }) ? (xs[0], xs[1]) : nil
        }
        func prefixed(_ s: String, _ p: Character) -> Int? {
            guard s.first == p, let n = Int(s.dropFirst()), n >= 1 else { return nil }
            return n
        }
        guard let threads = pair(parts[0]), let micro = pair(parts[1]),
              let headChunk = prefixed(parts[2], "h"), let valueKeys = prefixed(parts[3], "v") else { return nil }
        self.init(
            rowThreads: threads.0, keyThreads: threads.1, rowsPerThread: micro.0, keysPerThread: micro.1,
            headChunk: headChunk, valueKeys: valueKeys, reduction: shuffled ? .subgroupShuffle : .sharedMemory,
            unrolled: unrolled, vectorWidth: width, matrix: matrix)
    }

    /// Throws a `SpecError` naming the strategy when it cannot run `facts` on `device` (a
    /// strategy given by the user rather than chosen).
    public func check(_ facts: KernelFacts, on device: DeviceLimits) throws(SpecError) {
        if let problem = problem(with: facts) ?? problem(on: device) {
            throw .invalidValue(field: "strategy", value: compact, reason: problem)
        }
    }

    /// Why this strategy cannot run on `device` (nil when it can): shuffles need a subgroup
    /// that KEY_THREADS adjacent invocations divide.
    public func problem(on device: DeviceLimits) -> String? {
        if let problem = cooperativeProblem(on: device) { return problem }
        guard reduction == .subgroupShuffle else { return nil }
        guard let lanes = device.subgroupSize else { return "subgroup shuffles (sg), which the device or language does not offer" }
        if keyThreads > lanes || lanes % keyThreads != 0 || keyThreads & (keyThreads - 1) != 0 {
            return "sg reduces KEY_THREADS = \(keyThreads) invocations by shuffles; that needs a power of two dividing the subgroup of \(lanes)"
        }
        return nil
    }

    /// Why this strategy cannot run `facts` (nil when it can): it must cover the query tile, and
    /// its chunks must divide what they split.
    public func problem(with facts: KernelFacts) -> String? {
        if tileRows < facts.maxQueryRows { return "covers \(tileRows) query rows, the tile has \(facts.maxQueryRows)" }
        if let problem = cooperativeProblem(with: facts) { return problem }
        if facts.headDim % headChunk != 0 { return "headChunk \(headChunk) does not divide headDim \(facts.headDim)" }
        if blockKeys % valueKeys != 0 { return "valueKeys \(valueKeys) does not divide the \(blockKeys) keys of a step" }
        if vectorWidth > 1 {
            let columns = outputColumns(valueDim: facts.valueDim)
            if keysPerThread % vectorWidth != 0 { return "vectors of \(vectorWidth) do not divide \(keysPerThread) keys per invocation" }
            if columns % vectorWidth != 0 || columns * keyThreads != facts.valueDim {
                return "vectors of \(vectorWidth) need valueDim \(facts.valueDim) split evenly over \(keyThreads) invocations"
            }
        }
        return nil
    }
}

extension KernelStrategy {
    /// The manifest's `strategy` object: every field, and the compact form.
    public var manifestJSON: JSONValue {
        var fields: [String: JSONValue] = ["compact": .string(compact), "kind": .string(matrix == nil ? "simt" : "cooperativeMatrix"), "reduction": .string(reduction.rawValue), "unrolled": .bool(unrolled)]
        for (name, value) in [
            ("rowThreads", rowThreads), ("keyThreads", keyThreads), ("rowsPerThread", rowsPerThread), ("keysPerThread", keysPerThread),
            ("headChunk", headChunk), ("valueKeys", valueKeys), ("vectorWidth", vectorWidth), ("workgroupSize", workgroupSize), ("tileRows", tileRows), ("blockKeys", blockKeys),
        ] {
            fields[name] = .number(Double(value))
        }
        if let matrix {
            fields["cooperativeMatrix"] = .object([
                "form": .string(matrix.form.rawValue), "m": .number(Double(matrix.m)), "n": .number(Double(matrix.n)), "k": .number(Double(matrix.k)),
                "subgroups": .number(Double(matrix.subgroups)), "lanes": .number(Double(matrix.lanes)), "operand": .string(matrix.operand.rawValue),
            ])
        }
        return .object(fields)
    }
}
