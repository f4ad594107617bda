import Foundation

/// The file format of the device runtimes' on-disk caches: magic, key text, payload length,
/// payload, FNV-1a of the payload (lengths and hash little-endian). Any mismatch — truncation,
/// garbage, another key — reads as invalid, never a crash; writes are atomic (temporary file,
/// then rename), so a concurrent reader sees the old file or the new one, never half of one.
public struct FramedCacheFile: Sendable {
    public let magic: [UInt8]

    public init(magic: String) { self.magic = Array(magic.utf8) }

    public enum LoadResult: Equatable, Sendable { case missing, invalid, payload([UInt8]) }

    public func load(path: String, key: String) -> LoadResult {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = FileManager.default.contents(atPath: path) else { return .invalid }
        return decode([UInt8](data), key: key).map(LoadResult.payload) ?? .invalid
    }

    /// Writes `payload` under `key`; a read-only or full disk is not an error (returns false).
    @discardableResult
    public func store(_ payload: [UInt8], key: String, path: String) -> Bool {
        do {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Data(encode(payload, key: key)).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            return false
        }
    }

    public func encode(_ payload: [UInt8], key: String) -> [UInt8] {
        let keyBytes = Array(key.utf8)
        return magic + Self.littleEndian(UInt64(keyBytes.count)) + keyBytes + Self.littleEndian(UInt64(payload.count)) + payload
            + Self.littleEndian(FNV1a64.hash(bytes: payload))
    }

    /// The payload, if `bytes` is a whole, uncorrupted file for `key`.
    public func decode(_ bytes: [UInt8], key: String) -> [UInt8]? {
        var reader = ByteReader(bytes: bytes)
        guard reader.take(magic.count) == magic,
              let keyLength = reader.uint64(), let keyText = reader.take(keyLength), keyText == Array(key.utf8),
              let length = reader.uint64(), let payload = reader.take(length),
              let checksum = reader.uint64(), reader.atEnd, checksum == FNV1a64.hash(bytes: payload) else { return nil }
        return payload
    }

    private static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func take(_ count: UInt64) -> [UInt8]? {
            guard count <= UInt64(bytes.count - offset) else { return nil }
            return take(Int(count))
        }

        mutating func uint64() -> UInt64? {
            guard let raw = take(8) else { return nil }
            return raw.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }
}
