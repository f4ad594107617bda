// Bulk conversions between raw little-endian float32/float16/bfloat16 bytes and [Float].
//
// These work on unsafe buffers because .npy payloads can be hundreds of MB;
// per-element Data subscripting would be orders of magnitude slower.
// Swift's Float16 is available on Linux (x86_64 and arm64) and Apple arm64.

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

    /// Every half-precision bit pattern widened to Float (256 KB, built once on first use).
    /// Baseline x86_64 has no F16C, so `Float(Float16)` is a library call per element;
    /// a table lookup is several times faster on large files.
    private static let float16Table: [Float] = (0...UInt16.max).map { Float(Float16(bitPattern: $0)) }

    /// Decodes `count` little-endian IEEE half-precision values, widening exactly.
    static func decodeFloat16(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        float16Table.withUnsafeBufferPointer { table in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    out[i] = table[Int(bits)]
                }
                initialized = count
            }
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

    /// Writes `values` as little-endian float16 into `out`. `Float16(_: Float)` rounds
    /// to nearest even and turns out-of-range values into ±inf, as NumPy's astype does.
    static func encodeFloat16(_ values: [Float], into out: UnsafeMutableRawBufferPointer) {
        values.withUnsafeBufferPointer { src in
            for (i, v) in src.enumerated() {
                out.storeBytes(of: Float16(v).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self)
            }
        }
    }

    /// Decodes `count` little-endian bfloat16 values (the upper halves of float32s), exactly.
    static func decodeBFloat16(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                out[i] = Float(bitPattern: UInt32(bits) << 16)
            }
            initialized = count
        }
    }

    /// Writes `values` as little-endian bfloat16, rounded to nearest even (as ml_dtypes and
    /// PyTorch round); NaN stays a quiet NaN, overflow becomes ±inf.
    static func encodeBFloat16(_ values: [Float], into out: UnsafeMutableRawBufferPointer) {
        values.withUnsafeBufferPointer { src in
            for (i, v) in src.enumerated() {
                let bits = v.bitPattern
                let rounded: UInt32 = v.isNaN ? (bits | 0x0040_0000) : bits &+ 0x7FFF &+ ((bits >> 16) & 1)
                out.storeBytes(of: UInt16(truncatingIfNeeded: rounded >> 16).littleEndian, toByteOffset: i * 2, as: UInt16.self)
            }
        }
    }
}
