import RuntimeSupport
import Foundation

/// The on-disk cache of program binaries (CL_PROGRAM_BINARIES). One file per (source+options,
/// device) pair. Format: magic, key text, payload length, payload, FNV-1a of the payload. Any
/// mismatch — truncation, garbage, another driver version — reads as a miss, never a crash.
struct ProgramBinaryCache: Sendable {
    let directory: String

    private static let magic = Array("AGCLBIN1".utf8)

    /// File for a key; the full key text is also stored inside and compared on load.
    func path(for key: ProgramKey) -> String {
        "\(directory)/\(key.sourceHash.hex16)-\(FNV1a64.hash(key.deviceIdentity).hex16).clbin"
    }

    enum LoadResult { case missing, invalid, binary([UInt8]) }

    func load(_ key: ProgramKey) -> LoadResult {
        let path = path(for: key)
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = FileManager.default.contents(atPath: path) else { return .invalid }
        return Self.decode([UInt8](data), key: key).map(LoadResult.binary) ?? .invalid
    }

    /// Atomic: written to a temporary file in the same folder, then renamed over the target,
    /// so a concurrent reader sees the old file or the new one, never half of one.
    @discardableResult
    func store(_ binary: [UInt8], for key: ProgramKey) -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(Self.encode(binary, key: key)).write(to: URL(fileURLWithPath: path(for: key)), options: .atomic)
            return true
        } catch {
            return false  // a read-only or full disk must not fail the build
        }
    }

    static func encode(_ binary: [UInt8], key: ProgramKey) -> [UInt8] {
        let keyText = Array(key.text.utf8)
        var out = magic
        out += littleEndian(UInt64(keyText.count)) + keyText
        out += littleEndian(UInt64(binary.count)) + binary
        out += littleEndian(FNV1a64.hash(bytes: binary))
        return out
    }

    static func decode(_ bytes: [UInt8], key: ProgramKey) -> [UInt8]? {
        var reader = ByteReader(bytes: bytes)
        guard reader.take(magic.count) == magic,
              let keyLength = reader.uint64(), let keyText = reader.take(keyLength),
              keyText == Array(key.text.utf8),
              let length = reader.uint64(), length > 0, let payload = reader.take(length),
              let checksum = reader.uint64(), reader.atEnd,
              checksum == FNV1a64.hash(bytes: payload) else { return nil }
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

/// Identity of a built program: the source+options hash and the device it was built for.
struct ProgramKey: Hashable, Sendable {
    let sourceHash: UInt64
    let deviceIdentity: String

    init(source: String, options: String, device: OpenCLDeviceInfo) {
        sourceHash = FNV1a64.hash(source, options)
        deviceIdentity = device.identity
    }

    var text: String { "\(sourceHash.hex16)|\(deviceIdentity)" }
}
