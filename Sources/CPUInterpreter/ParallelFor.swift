import Dispatch
import Foundation

/// A pointer that may cross into concurrent work items: each item writes a disjoint region.
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
}

/// Runs `body` over `0..<count` split into contiguous chunks on all cores; a chunk reuses its
/// scratch buffers, and there are several chunks per core so uneven items balance out.
func parallelFor(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = min(count, 16 * ProcessInfo.processInfo.activeProcessorCount)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        body((chunk * count / chunks)..<((chunk + 1) * count / chunks))
    }
}
