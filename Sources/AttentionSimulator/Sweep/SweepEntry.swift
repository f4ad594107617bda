import AttentionSpec

/// One simulated configuration of a sweep.
public struct SweepEntry: Sendable, Codable, Hashable {
    public var queryTile: [Int]
    public var keyTile: [Int]
    /// Per-axis stride of a neighborhood mask; `nil` for masks without one.
    public var stride: [Int]?
    public var simulatedSeconds: Double
    public var flopSpeedupBound: Double
    public var tileSpeedupBound: Double
    public var maskFree: Bool
    public var visitedTilePairs: Int
    public var partialTilePairs: Int
    /// True when the configuration keeps the spec's mask (only the tiling differs); a changed
    /// stride is a different attention (GNA), not just a faster way to compute the same one.
    public var keepsMask: Bool

    public var tiling: Tiling { Tiling(queryTile: queryTile, keyTile: keyTile) }

    /// `query tile 8×8, key tile 8×16[, stride 4×4]`.
    public var label: String {
        "query tile \(shapeText(queryTile)), key tile \(shapeText(keyTile))" + (keepsMask ? "" : stride.map { ", stride \(shapeText($0))" } ?? "")
    }
}

/// `[8, 16]` → `8×16`.
func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
