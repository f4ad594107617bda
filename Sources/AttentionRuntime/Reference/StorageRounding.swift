import AttentionTensors

extension ElementType {
    /// `value` as it reads back after being stored in this type (round to nearest even).
    @inlinable
    public func rounded(_ value: Float) -> Float {
        switch self {
        case .float32:
            return value
        case .float16:
            return Float(Float16(value))
        case .bfloat16:
            guard !value.isNaN else { return value }
            let bits = value.bitPattern
            let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
            return Float(bitPattern: (bits &+ roundingBias) & 0xFFFF_0000)
        }
    }

    /// Every element of `tensor` rounded to this storage type.
    public func rounded(_ tensor: Tensor) -> Tensor {
        guard self != .float32 else { return tensor }
        var copy = tensor
        for n in copy.elements.indices { copy.elements[n] = rounded(copy.elements[n]) }
        return copy
    }
}
