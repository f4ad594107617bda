/// Everything that can go wrong building tensors or reading/writing `.npy` files.
///
/// `name` is the file's last path component (or the `name:` passed to
/// `Npy.read(_:name:)`), `path` the full file path for file-system errors.
/// Each `description` says which file, what was expected and what was found.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// `Tensor(shape:elements:)` got the wrong number of elements.
    case elementCountMismatch(shape: [Int], expected: Int, found: Int)
    /// A negative dimension or a shape whose element/byte count overflows `Int`.
    /// `shape` is text because an overflowing dimension has no `Int` value.
    case invalidShape(name: String, shape: String, reason: String)
    case readFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// `Npy.write` refuses to replace an existing file unless `overwrite: true`.
    case fileExists(path: String)
    /// Something other than a regular file is in the way; it is never replaced.
    case notRegularFile(path: String)
    /// The first six bytes are not `\x93NUMPY`.
    case badMagic(name: String, found: [UInt8])
    case unsupportedVersion(name: String, major: UInt8, minor: UInt8)
    /// The file ends inside the preamble or header.
    case truncatedHeader(name: String, expectedBytes: Int, foundBytes: Int)
    /// The header is not the Python dict literal NumPy writes.
    case malformedHeader(name: String, reason: String)
    case unsupportedDtype(name: String, descr: String)
    case bigEndian(name: String, descr: String)
    case fortranOrder(name: String, shape: [Int])
    case truncatedData(name: String, shape: [Int], dtype: ElementType, expectedBytes: Int, foundBytes: Int)
    case trailingData(name: String, shape: [Int], dtype: ElementType, expectedBytes: Int, foundBytes: Int)
    /// `Npy.read(_:expectingShape:role:layout:)` found another shape.
    case shapeMismatch(name: String, expected: [Int], found: [Int], layout: String?)

    static let supportedDtypes = "'<f4' float32, '<f2' float16, '<V2' or '|V2' bfloat16 as ml_dtypes saves it"

    public var description: String {
        switch self {
        case let .elementCountMismatch(shape, expected, found):
            return "Tensor(shape: \(shape)): expected \(expected) elements (product of the shape) but got \(found)"
        case let .invalidShape(name, shape, reason):
            return "\(name): invalid shape \(shape): \(reason)"
        case let .readFailed(path, reason):
            return "\(path): cannot read file: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write file: \(reason)"
        case let .fileExists(path):
            return "\(path): file already exists; pass overwrite: true to replace it"
        case let .notRegularFile(path):
            return "\(path): not a regular file (a device, FIFO, folder or socket); only regular files are replaced"
        case let .badMagic(name, found):
            let hex = found.map { byte in
                let h = String(byte, radix: 16)
                return h.count == 1 ? "0" + h : h
            }.joined(separator: " ")
            return "\(name): not a .npy file: expected magic 93 4e 55 4d 50 59 (\\x93NUMPY) but found \(hex.isEmpty ? "no bytes" : hex)"
        case let .unsupportedVersion(name, major, minor):
            return "\(name): unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)"
        case let .truncatedHeader(name, expected, found):
            return "\(name): truncated header: expected at least \(expected) bytes, file has \(found)"
        case let .malformedHeader(name, reason):
            return "\(name): malformed .npy header: \(reason)"
        case let .unsupportedDtype(name, descr):
            return "\(name): unsupported dtype '\(descr)' (supported: \(Self.supportedDtypes))"
        case let .bigEndian(name, descr):
            return "\(name): big-endian dtype '\(descr)' is not supported (supported: little-endian \(Self.supportedDtypes)); convert with arr.astype(arr.dtype.newbyteorder('<'))"
        case let .fortranOrder(name, shape):
            return "\(name): array of shape \(shape) is stored in Fortran order; only C order is supported (save np.ascontiguousarray(arr))"
        case let .truncatedData(name, shape, dtype, expected, found):
            return "\(name): truncated: header says shape \(shape) \(dtype) = \(expected) bytes of data, file has \(found)"
        case let .trailingData(name, shape, dtype, expected, found):
            return "\(name): trailing data: header says shape \(shape) \(dtype) = \(expected) bytes of data, file has \(found)"
        case let .shapeMismatch(name, expected, found, layout):
            let layoutText = layout.map { " (\($0))" } ?? ""
            return "\(name): expected shape \(expected)\(layoutText) but the file has \(found)"
        }
    }
}
