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

/// Row-major rows of `[batch, tokens, heads, width]` tensor data for one (batch, head).
struct TensorRows {
    let base: UnsafePointer<Float>
    let tokens: Int
    let heads: Int
    let width: Int

    /// Pointer to token `token`'s row for (batch, head).
    func row(batch: Int, token: Int, head: Int) -> UnsafePointer<Float> {
        base + ((batch * tokens + token) * heads + head) * width
    }

    /// The tile's rows as (pointer, leading dimension): in place when evenly spaced, otherwise
    /// gathered into `scratch`.
    func tile(_ rows: TileRows, batch: Int, head: Int, scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        let first = row(batch: batch, token: rows.tokens[0], head: head)
        if let step = rows.uniformStep { return (first, step * heads * width) }
        for (r, token) in rows.tokens.enumerated() {
            (scratch + r * width).update(from: row(batch: batch, token: token, head: head), count: width)
        }
        return (UnsafePointer(scratch), width)
    }
}
