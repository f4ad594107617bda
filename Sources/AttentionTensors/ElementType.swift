/// Storage dtypes of the attention library.
///
/// Tensors always hold `Float` in memory; the element type only says how values
/// are stored on disk or on the device. `.npy` supports `float32` and `float16`;
/// NumPy has no `bfloat16`, so asking `Npy` to write one is a typed error.
public enum ElementType: String, Sendable, Codable, CaseIterable {
    case float32, float16, bfloat16

    /// Bytes per stored element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float16, .bfloat16: 2
        }
    }
}
