/// FNV-1a 64: a small stable hash for cache keys (Foundation on Linux has no SHA-256, and the
/// key is a cache address, not a security boundary; hits are double-checked against the source).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    /// Strings are separated by a NUL so ("ab","c") and ("a","bc") differ.
    mutating func combine(_ text: String) {
        combine(text.utf8)
        combine(CollectionOfOne(0))
    }

    static func hash(_ parts: String...) -> UInt64 {
        var hasher = FNV1a64()
        for part in parts { hasher.combine(part) }
        return hasher.value
    }

    static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1a64()
        hasher.combine(bytes)
        return hasher.value
    }
}

extension UInt64 {
    /// 16 lowercase hex digits, zero-padded (for file names).
    var hex16: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
