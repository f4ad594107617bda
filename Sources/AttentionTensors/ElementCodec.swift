// Bulk conversions between raw little-endian float32/float16/bfloat16 bytes and [Float].
//
// These work on unsafe buffers because .npy payloads can be hundreds of MB;
// per-element Data subscripting would be orders of magnitude slower.
// The 16-bit conversions are the SIMD ones of HalfPrecision.swift.

enum ElementCodec {
    /// Decodes `count` little-endian float32 values.
    static func decodeFloat32(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            #if _endian(little)
            if count > 0 {
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count * 4]))
            }
            #else
            for i in 0..<count {
                let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                out[i] = Float(bitPattern: bits)
            }
            #endif
            initialized = count
        }
    }

    /// Writes `values` as little-endian float32 into `out` (exactly `values.count * 4` bytes).
    static func encodeFloat32(_ values: [Float], into out: UnsafeMutableRawBufferPointer) {
        values.withUnsafeBufferPointer { src in
            #if _endian(little)
            out.copyMemory(from: UnsafeRawBufferPointer(src))
            #else
            for (i, v) in src.enumerated() {
                out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
            #endif
        }
    }

    /// Decodes `count` little-endian float16 or bfloat16 values, widening exactly.
    static func decode16(_ type: ElementType, _ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            withNativeHalves(bytes, count: count) { type.widen(from: $0.baseAddress, to: out.baseAddress, count: count) }
            initialized = count
        }
    }

    /// Writes `values` as little-endian float16 or bfloat16 into `out`, rounded to nearest even:
    /// out-of-range float16 values become ±inf, as NumPy's astype does; NaN stays a quiet NaN.
    static func encode16(_ type: ElementType, _ values: [Float], into out: UnsafeMutableRawBufferPointer) {
        let bits = type.narrowed(values)
        bits.withUnsafeBytes { native in
            #if _endian(little)
            if !bits.isEmpty { out.copyMemory(from: native) }
            #else
            for (i, b) in bits.enumerated() { out.storeBytes(of: b.littleEndian, toByteOffset: i * 2, as: UInt16.self) }
            #endif
        }
    }

    /// `count` little-endian 16-bit words of `bytes` as native, aligned UInt16s: the bytes
    /// themselves when they are (a payload inside a Data may start at an odd address), else a copy.
    private static func withNativeHalves(_ bytes: UnsafeRawBufferPointer, count: Int, _ body: (UnsafeBufferPointer<UInt16>) -> Void) {
        guard count > 0, let base = bytes.baseAddress else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        #if _endian(little)
        if Int(bitPattern: base) % MemoryLayout<UInt16>.alignment == 0 {
            let words = UnsafeRawBufferPointer(start: base, count: count * 2)
            return words.withMemoryRebound(to: UInt16.self) { body($0) }
        }
        #endif
        let copy = (0..<count).map { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        copy.withUnsafeBufferPointer(body)
    }
}
