import Foundation

/// A value behind a lock: the one primitive the device runtimes use for shared mutable state
/// (Swift 6 strict concurrency; `Synchronization.Mutex` would need macOS 15 on Apple).
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
