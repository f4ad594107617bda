import RuntimeSupport
import Foundation

/// The on-disk cache of program binaries (CL_PROGRAM_BINARIES). One file per (source+options,
/// device) pair, in the `FramedCacheFile` format keyed by the full key text. Any mismatch —
/// truncation, garbage, another driver version — reads as a miss, never a crash.
struct ProgramBinaryCache: Sendable {
    let directory: String

    private static let format = FramedCacheFile(magic: "AGCLBIN1")

    /// File for a key; the full key text is also stored inside and compared on load.
    func path(for key: ProgramKey) -> String {
        "\(directory)/\(key.sourceHash.hex16)-\(FNV1a64.hash(key.deviceIdentity).hex16).clbin"
    }

    enum LoadResult { case missing, invalid, binary([UInt8]) }

    func load(_ key: ProgramKey) -> LoadResult {
        switch Self.format.load(path: path(for: key), key: key.text) {
        case .missing: return .missing
        case .payload(let binary) where !binary.isEmpty: return .binary(binary)
        case .payload, .invalid: return .invalid
        }
    }

    /// Atomic, and a read-only or full disk must not fail the build.
    @discardableResult
    func store(_ binary: [UInt8], for key: ProgramKey) -> Bool {
        Self.format.store(binary, key: key.text, path: path(for: key))
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
