/// How a visited key tile relates to a query tile.
public enum TileClass: Hashable, Sendable {
    /// Every in-bounds (query, key) pair is allowed: the tile needs no mask.
    case full
    /// Some pairs are allowed: the mask is evaluated per element.
    case partial
}

/// One query tile that visits a key tile (the transposed plan, for the backward pass).
public struct QueryTileVisit: Hashable, Sendable {
    public let queryTile: Int
    public let tileClass: TileClass

    public init(queryTile: Int, tileClass: TileClass) {
        self.queryTile = queryTile
        self.tileClass = tileClass
    }
}

/// One key tile a query tile visits.
public struct KeyTileVisit: Hashable, Sendable {
    public let keyTile: Int
    public let tileClass: TileClass

    public init(keyTile: Int, tileClass: TileClass) {
        self.keyTile = keyTile
        self.tileClass = tileClass
    }
}
