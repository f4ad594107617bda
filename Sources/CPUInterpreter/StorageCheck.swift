import AttentionTensors
import CAttentionKernels
import RuntimeSupport

/// Whether every K and V value a run reads is one its 16-bit storage type holds, checked on the
/// tiles as the run loads them (or as it rearranges K and V) instead of in a pass of its own.
///
/// A decode reads its cache once, so a separate check was a second read of the largest tensors
/// (on a 128k-key cache, about half the attention's own time); here the values are checked
/// while they are in cache anyway.
public final class StorageCheck: Sendable {
    public let type: ElementType
    private let failed = Locked(false)

    /// nil for float32, which holds every float.
    public init?(_ type: ElementType) {
        guard type != .float32 else { return nil }
        self.type = type
    }

    /// Whether every row checked so far held exactly.
    public var passed: Bool { !failed.withLock { $0 } }

    /// Checks `rows` rows of `width` floats, `ld` apart.
    func check(_ base: UnsafePointer<Float>, rows: Int, width: Int, ld: Int) {
        if ag_exact_rows(type == .bfloat16 ? 1 : 0, base, rows, width, ld) == 0 { failed.withLock { $0 = true } }
    }
}
