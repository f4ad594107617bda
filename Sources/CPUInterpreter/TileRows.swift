import AttentionPlan

/// The tokens of one tile and, when they are evenly spaced, the spacing: such tiles are read
/// in place (a row pointer and a leading dimension) instead of being gathered.
struct TileRows: Sendable {
    let tokens: [Int]
    /// Token distance between consecutive rows, when constant.
    let uniformStep: Int?

    init(tokens: [Int]) {
        self.tokens = tokens
        if tokens.count < 2 {
            uniformStep = 1
        } else {
            let step = tokens[1] - tokens[0]
            uniformStep = zip(tokens.dropFirst(), tokens).allSatisfy { $0 - $1 == step } ? step : nil
        }
    }

    var count: Int { tokens.count }

    static func all(of grid: TileGrid) -> [TileRows] {
        (0..<grid.count).map { TileRows(tokens: grid.tokens(of: $0)) }
    }
}

/// K or V rows as the micro-kernels read them: in place, or through a list of row pointers
/// (rows scattered over the tensor, e.g. a neighborhood's trimmed key tiles: pointing at them
/// costs one store a row, copying them a row's width).
enum TileOperand {
    /// Row r at `base + r * ld`.
    case strided(UnsafePointer<Float>, ld: Int)
    /// Row r at `rows[r]`.
    case rows(UnsafePointer<UnsafePointer<Float>?>)

    /// Checks the first `count` rows of `width` floats against `check`'s storage type.
    func check(_ check: StorageCheck, count: Int, width: Int) {
        switch self {
        case .strided(let base, let ld): check.check(base, rows: count, width: width, ld: ld)
        case .rows(let rows): for r in 0..<count { check.check(rows[r]!, rows: 1, width: width, ld: width) }
        }
    }
}

/// Row-major rows of `[batch, tokens, heads, width]` tensor data for one (batch, head), or of a
/// paged pool `[poolTokens, heads, width]` read through `slots`, the pool row of each logical
/// `(batch, token)` (`AttentionSpec.keySlots`).
struct TensorRows {
    let base: UnsafePointer<Float>
    let tokens: Int
    let heads: Int
    let width: Int
    var slots: UnsafePointer<Int>? = nil

    /// The row of logical token `token` of `batch` in the tensor's own row order.
    func slot(batch: Int, token: Int) -> Int {
        let logical = batch * tokens + token
        return slots.map { $0[logical] } ?? logical
    }

    /// Pointer to token `token`'s row for (batch, head).
    func row(batch: Int, token: Int, head: Int) -> UnsafePointer<Float> {
        base + (slot(batch: batch, token: token) * heads + head) * width
    }

    /// Checks every row of (batch, head) against `check`'s storage type: one strided call, or
    /// row by row through a page table.
    func check(_ check: StorageCheck, batch: Int, head: Int) {
        guard slots != nil else {
            check.check(row(batch: batch, token: 0, head: head), rows: tokens, width: width, ld: heads * width)
            return
        }
        for token in 0..<tokens { check.check(row(batch: batch, token: token, head: head), rows: 1, width: width, ld: width) }
    }

    /// The tile's rows as (pointer, leading dimension): in place when evenly spaced, otherwise
    /// gathered into `scratch` (a query tile: the products broadcast its rows, so it is copied
    /// once per work-group rather than pointed at).
    func tile(_ rows: TileRows, batch: Int, head: Int, scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if let step = slots == nil ? Self.commonStep([rows]) : slotStep([rows], batch: batch) {
            return (row(batch: batch, token: rows.tokens[0], head: head), step * heads * width)
        }
        for (r, token) in rows.tokens.enumerated() {
            (scratch + r * width).update(from: row(batch: batch, token: token, head: head), count: width)
        }
        return (UnsafePointer(scratch), width)
    }

    /// Several tiles' rows one after another: in place when together they are evenly spaced,
    /// otherwise as row pointers written to `pointers`.
    func operand<Tiles: Collection<TileRows>>(
        _ tiles: Tiles, batch: Int, head: Int, pointers: UnsafeMutablePointer<UnsafePointer<Float>?>
    ) -> TileOperand {
        if let first = tiles.first, let step = slots == nil ? Self.commonStep(tiles) : slotStep(tiles, batch: batch) {
            return .strided(row(batch: batch, token: first.tokens[0], head: head), ld: step * heads * width)
        }
        var r = 0
        for tile in tiles {
            for token in tile.tokens {
                pointers[r] = row(batch: batch, token: token, head: head)
                r += 1
            }
        }
        return .rows(UnsafePointer(pointers))
    }

    /// The tile's rows copied one after another into `scratch` (leading dimension `width`), even
    /// when they could be read in place: the micro-kernels stream contiguous rows faster.
    func gather(_ rows: TileRows, batch: Int, head: Int, into scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        for (r, token) in rows.tokens.enumerated() {
            (scratch + r * width).update(from: row(batch: batch, token: token, head: head), count: width)
        }
        return UnsafePointer(scratch)
    }

    /// The constant step of the pool rows behind all rows of `tiles`, if there is one (tiles
    /// inside one page, or pages stored in order, are read in place).
    func slotStep<Tiles: Collection<TileRows>>(_ tiles: Tiles, batch: Int) -> Int? {
        var previous: Int?
        var step: Int?
        for tile in tiles {
            for token in tile.tokens {
                let current = slot(batch: batch, token: token)
                if let previous {
                    if let step { guard current - previous == step else { return nil } } else { step = current - previous }
                }
                previous = current
            }
        }
        // The micro-kernels take a positive leading dimension: rows out of order are gathered.
        guard let step else { return 1 }
        return step > 0 ? step : nil
    }

    /// The constant token step through all rows of `tiles`, if there is one.
    static func commonStep<Tiles: Collection<TileRows>>(_ tiles: Tiles) -> Int? {
        guard let first = tiles.first, var step = first.uniformStep else { return nil }
        var last = first.tokens[first.count - 1]
        if first.count == 1 { step = 0 }
        for tile in tiles.dropFirst() {
            let gap = tile.tokens[0] - last
            if step == 0 { step = gap }
            guard gap == step, tile.count == 1 || tile.uniformStep == step else { return nil }
            last = tile.tokens[tile.count - 1]
        }
        return step == 0 ? 1 : step
    }
}
