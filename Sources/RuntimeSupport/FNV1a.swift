/// FNV-1a 64: a small stable hash for cache keys and file names (Foundation on Linux has no
/// SHA-256, and a key is a cache address, not a security boundary: in-memory hits compare the
/// full source or SPIR-V, disk files carry the full key text).
public struct FNV1a64 {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    /// Strings are separated by a NUL so ("ab","c") and ("a","bc") differ.
    public mutating func combine(_ text: String) {
        combine(text.utf8)
        combine(CollectionOfOne(0))
    }

    /// A 32-bit word, little-endian.
    public mutating func combine(_ word: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { combine(CollectionOfOne(UInt8(truncatingIfNeeded: word >> UInt32(shift)))) }
    }

    public static func hash(_ parts: String...) -> UInt64 {
        var hasher = FNV1a64()
        for part in parts { hasher.combine(part) }
        return hasher.value
    }

    public static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a64()
        hasher.combine(bytes)
        return hasher.value
    }

    public static func hash(words: [UInt32]) -> UInt64 {
        words.withUnsafeBytes { hash(bytes: $0) }
    }
}

extension UInt64 {
    /// 16 lowercase hex digits, zero-padded (for file names).
    public var hex16: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
