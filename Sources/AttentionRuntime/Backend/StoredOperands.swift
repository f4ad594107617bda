import AttentionTensors
import Foundation

/// q, k and v as the caller gave them, each rounded to the spec's storage type when first read.
///
/// A backend that checks the values as it reads them (the CPU interpreter, `StorageCheck`) takes
/// them as given and records that they held exactly, so a 16-bit decode does not read its cache
/// once more just to check it; every other reader gets the rounded tensor.
final class StoredOperands: @unchecked Sendable {
    enum Role: Int { case q, k, v }

    let type: ElementType
    private let lock = NSLock()
    private var tensors: [Tensor]
    /// Whether each tensor is known to hold values of `type` (rounded, or checked).
    private var settled: [Bool]

    init(type: ElementType, q: Tensor, k: Tensor, v: Tensor) {
        self.type = type
        tensors = [q, k, v]
        settled = Array(repeating: type == .float32, count: 3)
    }

    /// The tensor rounded to the storage type (a copy only when some value is not one it holds).
    func rounded(_ role: Role) -> Tensor {
        lock.withLock {
            if !settled[role.rawValue] {
                tensors[role.rawValue] = type.rounded(tensors[role.rawValue])
                settled[role.rawValue] = true
            }
            return tensors[role.rawValue]
        }
    }

    /// The tensor as it stands, and whether it is known to hold values of the storage type.
    func current(_ role: Role) -> (tensor: Tensor, settled: Bool) {
        lock.withLock { (tensors[role.rawValue], settled[role.rawValue]) }
    }

    /// Records that the tensor `current(role)` returned holds values of the storage type (a
    /// backend checked every value it read; values it never reads do not change any result).
    func markExact(_ role: Role) {
        lock.withLock { settled[role.rawValue] = true }
    }
}
