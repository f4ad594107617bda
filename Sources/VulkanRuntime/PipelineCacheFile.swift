import RuntimeSupport
import Foundation

/// The on-disk copy of one device's VkPipelineCache. One file per device identity (ids, driver
/// version, pipelineCacheUUID), in the `FramedCacheFile` format keyed by the identity text; the
/// payload's own Vulkan header (VkPipelineCacheHeaderVersionOne) is checked against the device too. Any mismatch reads as `.invalid` — ignored, never a crash.
struct PipelineCacheFile: Sendable {
    let directory: String
    let device: VulkanDeviceInfo

    private static let format = FramedCacheFile(magic: "AGVKPC01")

    var path: String {
        "\(directory)/\(FNV1a64.hash(bytes: Array(device.identity.utf8)).hex16).vkpipelinecache"
    }

    enum LoadResult { case missing, invalid, data([UInt8]) }

    func load() -> LoadResult {
        switch Self.format.load(path: path, key: device.identity) {
        case .missing: return .missing
        case .payload(let payload) where headerMatches(payload): return .data(payload)
        case .payload, .invalid: return .invalid
        }
    }

    /// Atomic (temporary file + rename); a read-only or full disk is not an error.
    @discardableResult
    func store(_ payload: [UInt8]) -> Bool {
        Self.format.store(payload, key: device.identity, path: path)
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
}
