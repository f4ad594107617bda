import Foundation

/// Serialises driver calls that PoCL 3.1 is not safe to run concurrently (platform discovery
/// raced 29 of 30 times; context creation and program builds are serialised too, to be safe).
/// Lock order: the discovery lock may take this one, never the reverse.
enum DriverLock {
    private static let lock = NSLock()

    static func run<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
