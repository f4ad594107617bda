#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Supported dtypes: little-endian `float32` (`<f4`) and `float16` (`<f2`), C order.
/// Errors name the file by its last path component (or the `name:` given);
/// file-system errors give the full path.
public enum Npy {
    /// Reads a `.npy` file.
    public static func read(_ url: URL) throws(TensorError) -> (tensor: Tensor, dtype: ElementType) {
        try read(load(url), name: url.lastPathComponent)
    }

    /// Decodes `.npy` bytes; `name` is used in error messages.
    public static func read(_ data: Data, name: String) throws(TensorError) -> (tensor: Tensor, dtype: ElementType) {
        // Data.withUnsafeBytes only rethrows untyped errors, so carry the typed one out in a Result.
        let result = data.withUnsafeBytes { raw in
            Result { () throws(TensorError) in try decode(raw, name: name) }
        }
        return try result.get()
    }

    /// Reads a tensor that must have `expectingShape`, e.g. role `"q"` with layout
    /// `"[batch, *queryShape, heads, headDim]"`. Errors name the file and, when the
    /// file name differs from `role`, the role too.
    public static func read(_ url: URL, expectingShape expected: [Int], role: String, layout: String? = nil) throws(TensorError) -> Tensor {
        let file = url.lastPathComponent
        let name = (file == role || file == role + ".npy") ? file : "\(file) (\(role))"
        let (tensor, _) = try read(load(url), name: name)
        guard tensor.shape == expected else {
            throw .shapeMismatch(name: name, expected: expected, found: tensor.shape, layout: layout)
        }
        return tensor
    }

    /// Encodes a tensor as `.npy` bytes, byte-identical to `numpy.save`.
    /// `bfloat16` throws `.unsupportedWriteDtype` (NumPy has no such dtype).
    public static func encode(_ tensor: Tensor, as dtype: ElementType = .float32) throws(TensorError) -> Data {
        try encode(tensor, as: dtype, name: "Tensor(shape: \(tensor.shape))")
    }

    /// Writes a tensor as a `.npy` file. Refuses to replace an existing file
    /// (`.fileExists`) unless `overwrite` is true, and never replaces anything but a regular
    /// file; the write is atomic (`AtomicFile`).
    public static func write(_ tensor: Tensor, to url: URL, as dtype: ElementType = .float32, overwrite: Bool = false) throws(TensorError) {
        let data = try encode(tensor, as: dtype, name: url.lastPathComponent)
        try AtomicFile.write(data, to: url, overwrite: overwrite)
    }

    // MARK: Internals

    private static func load(_ url: URL) throws(TensorError) -> Data {
        // Not memory-mapped: the values are copied into [Float] anyway, and one read()
        // beat page-faulting through a mapping by ~3x for 128 MB files on Linux.
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .readFailed(path: url.path, reason: describe(error))
        }
    }

    /// FoundationEssentials has no `localizedDescription` and CocoaError's own
    /// description is a userInfo dump, so report the underlying POSIX error instead.
    static func describe(_ error: any Error) -> String {
        var underlying: any Error = error
        if let cocoa = error as? CocoaError, let inner = cocoa.userInfo["NSUnderlyingError"] as? any Error {
            underlying = inner
        }
        if let posix = underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return String(describing: error)
    }

    static func decode(_ file: UnsafeRawBufferPointer, name: String) throws(TensorError) -> (tensor: Tensor, dtype: ElementType) {
        let (header, dataOffset) = try NpyHeader.parse(file, name: name)
        let shape = header.shape
        let count = try Tensor.elementCount(of: shape, name: name)
        // C and Fortran order coincide when at most one dimension exceeds 1.
        if header.fortranOrder && count > 0 && shape.filter({ $0 > 1 }).count > 1 {
            throw .fortranOrder(name: name, shape: shape)
        }
        let (expectedBytes, overflow) = count.multipliedReportingOverflow(by: header.dtype.byteSize)
        guard !overflow else {
            throw .invalidShape(name: name, shape: "\(shape)", reason: "byte count overflows Int")
        }
        let foundBytes = file.count - dataOffset
        guard foundBytes >= expectedBytes else {
            throw .truncatedData(name: name, shape: shape, dtype: header.dtype, expectedBytes: expectedBytes, foundBytes: foundBytes)
        }
        guard foundBytes == expectedBytes else {
            throw .trailingData(name: name, shape: shape, dtype: header.dtype, expectedBytes: expectedBytes, foundBytes: foundBytes)
        }
        let payload = UnsafeRawBufferPointer(rebasing: file[dataOffset...])
        let elements = switch header.dtype {
        case .float32: ElementCodec.decodeFloat32(payload, count: count)
        case .float16, .bfloat16: ElementCodec.decode16(header.dtype, payload, count: count)
        }
        return (Tensor(validatedShape: shape, elements: elements), header.dtype)
    }

    static func encode(_ tensor: Tensor, as dtype: ElementType, name: String) throws(TensorError) -> Data {
        let descr = NpyHeader.descr(for: dtype)
        // `elements` is publicly mutable, so re-check it still matches the shape.
        let expected = try Tensor.elementCount(of: tensor.shape, name: name)
        guard tensor.elements.count == expected else {
            throw .elementCountMismatch(shape: tensor.shape, expected: expected, found: tensor.elements.count)
        }
        let header = NpyHeader.encode(descr: descr, shape: tensor.shape)
        var data = Data(count: header.count + expected * dtype.byteSize)
        data.withUnsafeMutableBytes { out in
            out.copyBytes(from: header)
            let payload = UnsafeMutableRawBufferPointer(rebasing: out[header.count...])
            switch dtype {
            case .float32: ElementCodec.encodeFloat32(tensor.elements, into: payload)
            case .float16, .bfloat16: ElementCodec.encode16(dtype, tensor.elements, into: payload)
            }
        }
        return data
    }
}
