/// How a visited key tile relates to a query tile.
public enum TileClass: Hashable, Sendable {
    /// Every in-bounds (query, key) pair is allowed: the tile needs no mask.
    case full
    /// Some pairs are allowed: the mask is evaluated per element.
    case partial
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
