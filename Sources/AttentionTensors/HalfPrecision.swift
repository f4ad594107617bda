// Float ↔ 16-bit storage patterns through the SIMD conversions of CAttentionKernels (F16C on
// AVX2, AVX-512F/BW, bit-exact integer code elsewhere), chosen once per process by CPU.
//
// A default build emits SSE2 only, where Swift's `Float16(Float)` and `Float(Float16)` are
// library calls per element (__truncsfhf2, __extendhfsf2): on a 128k-key decode cache they
// took longer than the attention itself.

import CAttentionKernels

extension ElementType {
    /// The 16-bit pattern that stores `value` in this type, rounded to nearest even: overflow
    /// becomes ±inf for float16, NaN stays a quiet NaN. float32 has no 16-bit pattern: 0.
    public func bits(_ value: Float) -> UInt16 {
        var value = value, bits: UInt16 = 0
        narrow(from: &value, to: &bits, count: 1)
        return bits
    }

    /// The Float a 16-bit pattern of this type stands for, exactly; float32 gives 0.
    public func value(ofBits bits: UInt16) -> Float {
        var bits = bits, value: Float = 0
        widen(from: &bits, to: &value, count: 1)
        return value
    }

    /// `values` as 16-bit patterns of this type (float16 or bfloat16); float32 gives none.
    public func narrowed(_ values: [Float]) -> [UInt16] {
        guard self != .float32 else { return [] }
        return [UInt16](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { narrow(from: $0.baseAddress, to: out.baseAddress, count: $0.count) }
            initialized = values.count
        }
    }

    /// Bit patterns of 16-bit elements of this type (float16 or bfloat16, as a device stored
    /// them) widened exactly to Float; float32 has no 16-bit patterns and gives no values.
    public func widened(_ bits: [UInt16]) -> [Float] {
        guard self != .float32 else { return [] }
        return [Float](unsafeUninitializedCapacity: bits.count) { out, initialized in
            bits.withUnsafeBufferPointer { widen(from: $0.baseAddress, to: out.baseAddress, count: $0.count) }
            initialized = bits.count
        }
    }

    /// Narrows `count` floats into 16-bit patterns of this type; float32 writes nothing.
    public func narrow(from source: UnsafePointer<Float>?, to destination: UnsafeMutablePointer<UInt16>?, count: Int) {
        guard count > 0, let source, let destination else { return }
        switch self {
        case .float16: ag_f32_to_f16(source, destination, count)
        case .bfloat16: ag_f32_to_bf16(source, destination, count)
        case .float32: break
        }
    }

    /// Widens `count` 16-bit patterns of this type into floats; float32 writes nothing.
    public func widen(from source: UnsafePointer<UInt16>?, to destination: UnsafeMutablePointer<Float>?, count: Int) {
        guard count > 0, let source, let destination else { return }
        switch self {
        case .float16: ag_f16_to_f32(source, destination, count)
        case .bfloat16: ag_bf16_to_f32(source, destination, count)
        case .float32: break
        }
    }

    /// Whether all `count` floats read back bit for bit after being stored in this type (a NaN
    /// only when quiet with a payload the type holds); float32 holds every float. One read.
    public func holdsExactly(_ source: UnsafePointer<Float>?, count: Int) -> Bool {
        guard count > 0, let source else { return true }
        switch self {
        case .float16: return ag_f16_exact(source, count) != 0
        case .bfloat16: return ag_bf16_exact(source, count) != 0
        case .float32: return true
        }
    }
}
