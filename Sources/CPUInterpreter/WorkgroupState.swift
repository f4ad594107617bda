import CAttentionKernels

/// The tile registers of one work-group (`Q`, `K`, `V`, `S`, `m`, `l`, `acc`) plus gather
/// space, allocated once per task and reused for every work-group it runs.
final class WorkgroupState {
    let maxQueries: Int
    let maxKeys: Int
    let headDim: Int
    let valueDim: Int
    let q, s, m, l, acc, lse: UnsafeMutablePointer<Float>
    /// Row pointers of the loaded K and V panels when they are not read in place.
    let kRows, vRows: UnsafeMutablePointer<UnsafePointer<Float>?>
    /// Token positions of the tile's rows and the panel's columns, for ALiBi.
    let queryPositions, keyPositions: UnsafeMutablePointer<Int64>
    // Current operands: pointer and leading dimension of the loaded Q, K, V tiles.
    var qTile: (UnsafePointer<Float>, Int)
    var kTile: TileOperand
    var vTile: TileOperand
    /// Whether the loaded panel's scores read Kᵀ blocks from `Buffers.copies` (every visit's
    /// keys consecutive) instead of `kTile`.
    var keysFromCopies = false

    init(maxQueries: Int, maxKeys: Int, headDim: Int, valueDim: Int) {
        self.maxQueries = maxQueries
        self.maxKeys = maxKeys
        self.headDim = headDim
        self.valueDim = valueDim
        q = zeroedBuffer(maxQueries * headDim)
        s = zeroedBuffer(maxQueries * maxKeys)
        m = zeroedBuffer(maxQueries)
        l = zeroedBuffer(maxQueries)
        acc = zeroedBuffer(maxQueries * valueDim)
        lse = zeroedBuffer(maxQueries)
        queryPositions = positionBuffer(maxQueries)
        keyPositions = positionBuffer(maxKeys)
        kRows = .allocate(capacity: max(maxKeys, 1))
        vRows = .allocate(capacity: max(maxKeys, 1))
        kRows.initialize(repeating: UnsafePointer(q), count: max(maxKeys, 1))
        vRows.initialize(repeating: UnsafePointer(q), count: max(maxKeys, 1))
        qTile = (UnsafePointer(q), headDim)
        kTile = .rows(UnsafePointer(kRows))
        vTile = .rows(UnsafePointer(vRows))
    }

    deinit {
        for pointer in [q, s, m, l, acc, lse] { pointer.deallocate() }
        kRows.deallocate()
        vRows.deallocate()
        queryPositions.deallocate()
        keyPositions.deallocate()
    }

    func initState(rows: Int) {
        m.update(repeating: -.infinity, count: rows)
        l.update(repeating: 0, count: rows)
        acc.update(repeating: 0, count: rows * valueDim)
    }
}

/// A zeroed float buffer of at least one element (tile registers of empty tiles stay valid).
func zeroedBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
    let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
    return pointer
}

/// A zeroed position buffer of at least one element.
func positionBuffer(_ count: Int) -> UnsafeMutablePointer<Int64> {
    let pointer = UnsafeMutablePointer<Int64>.allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
    return pointer
}
