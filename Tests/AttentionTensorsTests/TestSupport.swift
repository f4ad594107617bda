import Foundation
import Testing
@testable import AttentionTensors

/// Decodes a base64 fixture (a whole .npy file made by numpy).
func fixture(_ base64: String) -> Data {
    guard let data = Data(base64Encoded: base64) else { fatalError("bad base64 fixture") }
    return data
}

/// Hand-built .npy bytes: magic, version, little-endian header length, header text, payload.
/// The header is used verbatim (no padding) so tests control every byte.
func npyBytes(header: String, major: UInt8 = 1, minor: UInt8 = 0, payload: [UInt8] = []) -> Data {
    let text = Array(header.utf8)
    var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, minor]
    let lengthSize = major == 1 ? 2 : 4
    for i in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: text.count >> (8 * i))) }
    return Data(out + text + payload)
}

/// Little-endian float32 bytes.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

/// Runs `body` and returns the TensorError it throws (nil if it did not throw).
/// Untyped so closures need no `throws(TensorError)` annotation; the API's typed
/// throws already guarantee nothing else escapes.
func tensorError<T>(_ body: () throws -> T) -> TensorError? {
    do {
        _ = try body()
        return nil
    } catch let error as TensorError {
        return error
    } catch {
        Issue.record("unexpected non-TensorError \(error)")
        return nil
    }
}

/// A fresh empty directory under the temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("AttentionTensorsTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Deterministic test values in C order: 0.25 * flatIndex - 1, so shape mix-ups show.
func ramp(_ shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    return try! Tensor(shape: shape, elements: (0..<count).map { Float($0) * 0.25 - 1 })
}
