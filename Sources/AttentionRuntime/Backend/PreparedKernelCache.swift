import AttentionSpec
import KernelLowering
import RuntimeSupport

/// Layouts a backend prepared before, by spec and strategy override: a call for a spec seen
/// before skips planning, emission and compilation (the driver's program and pipeline caches
/// still key the compiled code by its text, which only the configuration decides). Bounded: the
/// least recently used entry goes when `capacity` are held.
public final class PreparedKernelCache<Layout: Sendable>: Sendable {
    public struct Key: Hashable, Sendable {
        public let spec: AttentionSpec
        public let strategy: KernelStrategy?
    }

    /// Layouts built (misses) and layouts reused (hits) so far.
    public struct Statistics: Hashable, Sendable {
        public var builds: Int
        public var hits: Int

        public init(builds: Int = 0, hits: Int = 0) {
            self.builds = builds
            self.hits = hits
        }
    }

    public let capacity: Int
    private let state = Locked<(entries: [Key: Layout], order: [Key], statistics: Statistics)>(([:], [], Statistics()))

    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The cached layout for `key`, or `build()`'s, which is kept. Two callers racing on the
    /// same new key may both build; the first stored wins and both results are equal.
    public func layout<E: Error>(for key: Key, build: () throws(E) -> Layout) throws(E) -> Layout {
        let cached = state.withLock { state -> Layout? in
            guard let found = state.entries[key] else { return nil }
            state.statistics.hits += 1
            state.order.removeAll { $0 == key }
            state.order.append(key)
            return found
        }
        if let cached { return cached }
        let built = try build()
        state.withLock { state in
            state.statistics.builds += 1
            if state.entries[key] == nil {
                if state.order.count >= capacity { state.entries[state.order.removeFirst()] = nil }
                state.order.append(key)
            }
            state.entries[key] = built
        }
        return built
    }
}
