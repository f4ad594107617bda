/// A row-major token grid of 1 to 3 axes: converts between flat token indices and coordinates.
public struct TokenGrid: Hashable, Sendable {
    public let shape: [Int]
    /// Row-major strides: `strides[a]` tokens between neighbours on axis `a`.
    public let strides: [Int]

    public init(_ shape: [Int]) {
        self.shape = shape
        var strides = Array(repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        self.strides = strides
    }

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }

    @inlinable
    public func coordinate(of index: Int, axis: Int) -> Int { (index / strides[axis]) % shape[axis] }

    public func coordinates(of index: Int) -> [Int] { (0..<rank).map { coordinate(of: index, axis: $0) } }

    public func index(of coordinates: [Int]) -> Int {
        zip(coordinates, strides).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
