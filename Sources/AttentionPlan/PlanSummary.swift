/// Tile and element counts of a plan for one (batch, head).
public struct PlanSummary: Hashable, Sendable, Codable {
    public var queryTiles = 0
    public var keyTiles = 0
    public var visitedTilePairs = 0
    public var fullTilePairs = 0
    /// Allowed (query, key) token pairs.
    public var allowedPairs = 0
    /// Token pairs inside visited tiles: the work a kernel does (masked elements cost the same).
    public var visitedElementPairs = 0
    /// Token pairs inside FULL tiles.
    public var fullElementPairs = 0
    /// All token pairs: queries × keys.
    public var denseElementPairs = 0

    public var partialTilePairs: Int { visitedTilePairs - fullTilePairs }
    /// Dense work ÷ useful work: the most any sparse kernel could gain.
    public var flopSpeedupBound: Double { ratio(denseElementPairs, allowedPairs) }
    /// Dense work ÷ work in visited tiles: what this tiling can gain.
    public var tileSpeedupBound: Double { ratio(denseElementPairs, visitedElementPairs) }
    /// True when no tile needs a mask.
    public var isMaskFree: Bool { visitedTilePairs > 0 && fullTilePairs == visitedTilePairs }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? .infinity : Double(a) / Double(b) }

    static let zero = PlanSummary()
    static let unit = PlanSummary(
        queryTiles: 1, keyTiles: 1, visitedTilePairs: 1, fullTilePairs: 1, allowedPairs: 1, visitedElementPairs: 1,
        fullElementPairs: 1, denseElementPairs: 1)

    /// The summary of a product of independent axes: every count multiplies.
    func product(_ other: PlanSummary) -> PlanSummary {
        PlanSummary(
            queryTiles: queryTiles * other.queryTiles, keyTiles: keyTiles * other.keyTiles,
            visitedTilePairs: visitedTilePairs * other.visitedTilePairs, fullTilePairs: fullTilePairs * other.fullTilePairs,
            allowedPairs: allowedPairs * other.allowedPairs, visitedElementPairs: visitedElementPairs * other.visitedElementPairs,
            fullElementPairs: fullElementPairs * other.fullElementPairs, denseElementPairs: denseElementPairs * other.denseElementPairs)
    }
}

extension TilePlan {
    /// Multiply-adds ×2 the tiled program executes over all batches and heads: every visited
    /// query-key pair costs a `headDim` dot product and a `valueDim` accumulation.
    public func executedFlops() -> Double {
        let p = spec.problem
        return 2 * Double(p.batch * p.heads) * Double(summary().visitedElementPairs) * Double(p.headDim + p.valueDim)
    }
}
