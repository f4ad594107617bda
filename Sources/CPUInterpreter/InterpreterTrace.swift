import Foundation

/// Records which tiles the interpreter visited and where it evaluated the mask, so tests can
/// check invariant 2 (one plan: exactly the plan's tiles, masks only on PARTIAL ones).
public final class InterpreterTrace: @unchecked Sendable {
    public struct Visit: Hashable, Sendable {
        public let batch: Int
        public let head: Int
        public let queryTile: Int
        public let keyTile: Int
        public let masked: Bool

        public init(batch: Int, head: Int, queryTile: Int, keyTile: Int, masked: Bool) {
            self.batch = batch
            self.head = head
            self.queryTile = queryTile
            self.keyTile = keyTile
            self.masked = masked
        }
    }

    private let lock = NSLock()
    private var storage: [Visit] = []

    public init() {}

    public var visits: [Visit] { lock.withLock { storage } }

    func record(_ visit: Visit) { lock.withLock { storage.append(visit) } }
}
