import RuntimeSupport
import Foundation

/// The on-disk copy of one device's VkPipelineCache. One file per device identity (ids, driver
/// version, pipelineCacheUUID). Format: magic, identity text, payload length, payload, FNV-1a of
/// the payload; the payload's own Vulkan header (VkPipelineCacheHeaderVersionOne) is checked
/// against the device too. Any mismatch reads as `.invalid` — ignored, never a crash.
struct PipelineCacheFile: Sendable {
    let directory: String
    let device: VulkanDeviceInfo

    private static let magic = Array("AGVKPC01".utf8)

    var path: String {
        "\(directory)/\(FNV1a64.hash(bytes: Array(device.identity.utf8)).hex16).vkpipelinecache"
    }

    enum LoadResult { case missing, invalid, data([UInt8]) }

    func load() -> LoadResult {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = FileManager.default.contents(atPath: path) else { return .invalid }
        return decode([UInt8](data)).map(LoadResult.data) ?? .invalid
    }

    /// Atomic (temporary file + rename); a read-only or full disk is not an error.
    @discardableResult
    func store(_ payload: [UInt8]) -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(encode(payload)).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            return false
        }
    }

    func encode(_ payload: [UInt8]) -> [UInt8] {
        let key = Array(device.identity.utf8)
        return Self.magic + Self.littleEndian(UInt64(key.count)) + key + Self.littleEndian(UInt64(payload.count)) + payload
            + Self.littleEndian(FNV1a64.hash(bytes: payload))
    }

    func decode(_ bytes: [UInt8]) -> [UInt8]? {
        var reader = ByteReader(bytes: bytes)
        guard reader.take(Self.magic.count) == Self.magic,
              let keyLength = reader.uint64(), let key = reader.take(keyLength), key == Array(device.identity.utf8),
              let length = reader.uint64(), let payload = reader.take(length),
              let checksum = reader.uint64(), reader.atEnd, checksum == FNV1a64.hash(bytes: payload),
              headerMatches(payload) else { return nil }
        return payload
    }

    /// VkPipelineCacheHeaderVersionOne: headerSize (≥ 32), version 1, vendorID, deviceID, UUID.
    private func headerMatches(_ payload: [UInt8]) -> Bool {
        guard payload.count >= 32 else { return false }
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(payload[offset + $1]) << (8 * UInt32($1)) }
        }
        return word(0) >= 32 && word(4) == 1 && word(8) == device.vendorID && word(12) == device.deviceID
            && Array(payload[16..<32]) == device.pipelineCacheUUID
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
