import AttentionTensors
import Foundation
import RuntimeSupport

extension ElementType {
    /// `value` as it reads back after being stored in this type (round to nearest even).
    public func rounded(_ value: Float) -> Float {
        self == .float32 ? value : self.value(ofBits: bits(value))
    }

    /// Every element of `tensor` rounded to this storage type. Inputs that already hold values
    /// of the type (read from a 16-bit file, made by a 16-bit model) come back as they are, not
    /// copied: on a decode cache the copy's first-touch page faults cost more than the attention.
    public func rounded(_ tensor: Tensor) -> Tensor {
        guard self != .float32, !holdsExactly(tensor.elements) else { return tensor }
        var copy = tensor
        round(&copy)
        return copy
    }

    /// Rounds every element of `tensor` to this storage type in place.
    public func round(_ tensor: inout Tensor) {
        guard self != .float32 else { return }
        tensor.elements.withUnsafeMutableBufferPointer { elements in
            guard let base = elements.baseAddress.map(Floats.init) else { return }
            Self.inParallel(elements.count) { part in
                withUnsafeTemporaryAllocation(of: UInt16.self, capacity: Self.block) { bits in
                    for start in stride(from: part.lowerBound, to: part.upperBound, by: Self.block) {
                        let count = min(Self.block, part.upperBound - start)
                        narrow(from: base.pointer + start, to: bits.baseAddress, count: count)
                        widen(from: bits.baseAddress, to: base.pointer + start, count: count)
                    }
                }
                return true
            }
        }
    }

    /// Whether every element of `values` reads back from this type bit for bit (so a NaN whose
    /// payload the type cannot hold does not): one read, split over the cores for large tensors.
    func holdsExactly(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress.map({ Floats(pointer: UnsafeMutablePointer(mutating: $0)) }) else { return true }
            return Self.inParallel(all.count) { part in holdsExactly(base.pointer + part.lowerBound, count: part.count) }
        }
    }

    /// Runs `body` on contiguous parts of `0..<count`, one per core for large tensors (one core
    /// cannot draw the memory bandwidth a decode cache needs); returns whether every part did.
    @discardableResult
    private static func inParallel(_ count: Int, _ body: @Sendable (Range<Int>) -> Bool) -> Bool {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / (1 << 20)))
        guard parts > 1 else { return body(0..<count) }
        let allDid = Locked(true)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let did = body(part * count / parts..<(part + 1) * count / parts)
            if !did { allDid.withLock { $0 = false } }
        }
        return allDid.withLock { $0 }
    }

    /// Tensor elements that parts on several threads convert, each its own range.
    private struct Floats: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
    }

    /// Elements per rounding block: its 16-bit patterns stay in L1.
    private static let block = 4096
}
