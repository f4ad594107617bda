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

extension ElementType {
    /// Bit patterns of 16-bit elements of this type (float16 or bfloat16, as a device stored
    /// them) widened exactly to Float; float32 has no 16-bit patterns and gives no values.
    public func widened(_ bits: [UInt16]) -> [Float] {
        bits.withUnsafeBytes { raw in
            switch self {
            case .float16: ElementCodec.decodeFloat16(raw, count: bits.count)
            case .bfloat16: ElementCodec.decodeBFloat16(raw, count: bits.count)
            case .float32: []
            }
        }
    }
}
