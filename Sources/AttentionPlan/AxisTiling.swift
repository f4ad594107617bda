import AttentionSpec

/// One tile of one axis: a run of consecutive members of a dilation group.
///
/// With dilation `D`, token `x` belongs to group `x mod D` at local coordinate `x div D`
/// (DESIGN.md). Each group is tiled as its own sub-grid, as NATTEN does after permuting tokens,
/// so a tile holds tokens `group + D·local` for `local` in `local`. Without dilation there is
/// one group and a tile is a plain run of tokens.
public struct AxisTile: Hashable, Sendable {
    public let group: Int
    public let local: Range<Int>
    public let dilation: Int

    public var count: Int { local.count }
    /// Token coordinates on the axis, ascending.
    public var coordinates: [Int] { local.map { group + $0 * dilation } }
    public var firstCoordinate: Int { group + local.lowerBound * dilation }
    public var lastCoordinate: Int { group + (local.upperBound - 1) * dilation }
}

/// The tiles of one axis: each dilation group cut into runs of `tileSize`, group by group.
public struct AxisTiling: Hashable, Sendable {
    public let length: Int
    public let tileSize: Int
    public let dilation: Int
    public let tiles: [AxisTile]

    public init(length: Int, tileSize: Int, dilation: Int = 1) {
        self.length = length
        self.tileSize = tileSize
        self.dilation = dilation
        var tiles: [AxisTile] = []
        for group in 0..<min(dilation, length) {
            let members = Self.groupLength(group, length: length, dilation: dilation)
            for start in stride(from: 0, to: members, by: tileSize) {
                tiles.append(AxisTile(group: group, local: start..<min(start + tileSize, members), dilation: dilation))
            }
        }
        self.tiles = tiles
    }

    /// Members of dilation group `group`: `ceil((length - group) / dilation)`.
    public static func groupLength(_ group: Int, length: Int, dilation: Int) -> Int {
        (length - group + dilation - 1) / dilation
    }

    /// The index of the tile holding token coordinate `x`.
    public func tile(containing x: Int) -> Int {
        let group = x % dilation
        var index = 0
        for g in 0..<group { index += (Self.groupLength(g, length: length, dilation: dilation) + tileSize - 1) / tileSize }
        return index + (x / dilation) / tileSize
    }
}

/// The tiles of a token grid: boxes that are the product of one axis tile per axis, numbered
/// row-major over the per-axis tile indices.
public struct TileGrid: Hashable, Sendable {
    public let axes: [AxisTiling]
    public let tokenGrid: TokenGrid
    /// Number of tiles per axis, as a grid for index arithmetic.
    private let tileStrides: [Int]

    public init(shape: [Int], tile: [Int], dilation: [Int]) {
        axes = shape.indices.map { AxisTiling(length: shape[$0], tileSize: tile[$0], dilation: dilation[$0]) }
        tokenGrid = TokenGrid(shape)
        var strides = Array(repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * axes[axis + 1].tiles.count
        }
        tileStrides = strides
    }

    public var count: Int { axes.reduce(1) { $0 * $1.tiles.count } }

    /// Per-axis tile indices of tile `index`.
    public func axisIndices(of index: Int) -> [Int] {
        axes.indices.map { (index / tileStrides[$0]) % axes[$0].tiles.count }
    }

    public func index(ofAxisIndices indices: [Int]) -> Int {
        zip(indices, tileStrides).reduce(0) { $0 + $1.0 * $1.1 }
    }

    public func tile(_ index: Int) -> [AxisTile] {
        let indices = axisIndices(of: index)
        return axes.indices.map { axes[$0].tiles[indices[$0]] }
    }

    /// Number of tokens in tile `index`.
    public func tokenCount(of index: Int) -> Int { tile(index).reduce(1) { $0 * $1.count } }

    /// The first and last flat token of tile `index` (its lowest and highest corner).
    public func cornerTokens(of index: Int) -> (first: Int, last: Int) {
        var (first, last) = (0, 0)
        for (axis, axisTile) in tile(index).enumerated() {
            first += axisTile.firstCoordinate * tokenGrid.strides[axis]
            last += axisTile.lastCoordinate * tokenGrid.strides[axis]
        }
        return (first, last)
    }

    /// The flat token indices of tile `index`, row-major within the box.
    public func tokens(of index: Int) -> [Int] {
        var tokens = [0]
        for (axis, axisTile) in tile(index).enumerated() {
            let coordinates = axisTile.coordinates
            tokens = tokens.flatMap { base in coordinates.map { base + $0 * tokenGrid.strides[axis] } }
        }
        return tokens
    }
}
