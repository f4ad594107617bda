/// The preamble and header dict of a `.npy` file.
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, header length
/// (little-endian UInt16 for 1.0, UInt32 for 2.0/3.0), then the header: a Python
/// dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
/// padded with spaces and a final newline. The array data follows directly.
struct NpyHeader: Equatable {
    var dtype: ElementType
    var fortranOrder: Bool
    var shape: [Int]

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// NumPy aligns the data start to 64 bytes so files can be memory-mapped.
    static let alignment = 64
    /// NumPy leaves room for the first dimension to grow to this many digits in place.
    static let growthAxisMaxDigits = 21

    // MARK: Reading

    /// Parses the preamble and header of a whole file; returns the header and the
    /// byte offset where the array data starts.
    static func parse(_ file: UnsafeRawBufferPointer, name: String) throws(TensorError) -> (header: NpyHeader, dataOffset: Int) {
        let prefixCount = min(file.count, magic.count)
        guard file.prefix(prefixCount).elementsEqual(magic.prefix(prefixCount)), file.count > 0 else {
            throw .badMagic(name: name, found: Array(file.prefix(magic.count)))
        }
        guard file.count >= 8 else {
            throw .truncatedHeader(name: name, expectedBytes: 10, foundBytes: file.count)
        }
        let major = file[6], minor = file[7]
        let lengthSize: Int
        switch (major, minor) {
        case (1, 0): lengthSize = 2
        case (2, 0), (3, 0): lengthSize = 4
        default: throw .unsupportedVersion(name: name, major: major, minor: minor)
        }
        let headerStart = 8 + lengthSize
        guard file.count >= headerStart else {
            throw .truncatedHeader(name: name, expectedBytes: headerStart, foundBytes: file.count)
        }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(file[8 + i]) << (8 * i) }  // little-endian
        let dataOffset = headerStart + headerLength  // at most 12 + 2^32 - 1: no overflow on 64-bit
        guard file.count >= dataOffset else {
            throw .truncatedHeader(name: name, expectedBytes: dataOffset, foundBytes: file.count)
        }
        var parser = PythonLiteralParser(bytes: Array(file[headerStart..<dataOffset]), name: name, utf8: major == 3)
        let header = try interpret(parser.parseDict(), name: name)
        return (header, dataOffset)
    }

    /// Checks the dict has exactly NumPy's three keys with usable values.
    private static func interpret(_ entries: [(key: String, value: PythonLiteral)], name: String) throws(TensorError) -> NpyHeader {
        let expectedKeys = ["descr", "fortran_order", "shape"]
        for (key, _) in entries where !expectedKeys.contains(key) {
            throw .malformedHeader(name: name, reason: "unexpected key '\(key)' (a .npy header has exactly 'descr', 'fortran_order', 'shape')")
        }
        func value(_ key: String) throws(TensorError) -> PythonLiteral {
            guard let entry = entries.first(where: { $0.key == key }) else {
                throw .malformedHeader(name: name, reason: "missing key '\(key)'")
            }
            return entry.value
        }

        guard case .bool(let fortranOrder) = try value("fortran_order") else {
            throw .malformedHeader(name: name, reason: "'fortran_order' must be True or False, found \(try value("fortran_order").repr)")
        }
        let shape = try parseShape(value("shape"), name: name)
        let dtype = try parseDescr(value("descr"), name: name)
        return NpyHeader(dtype: dtype, fortranOrder: fortranOrder, shape: shape)
    }

    private static func parseDescr(_ value: PythonLiteral, name: String) throws(TensorError) -> ElementType {
        // A list descr is a structured (record) dtype.
        guard case .string(let descr) = value else { throw .unsupportedDtype(name: name, descr: value.repr) }
        #if _endian(little)
        let nativeIsLittle = true
        #else
        let nativeIsLittle = false
        #endif
        guard let order = descr.first else { throw .unsupportedDtype(name: name, descr: descr) }
        let kind = descr.dropFirst()
        // bfloat16 as ml_dtypes saves it (PyTorch's and JAX's through NumPy): a 2-byte void
        // type, '<V2' or '|V2', holding the upper half of a float32, little-endian.
        if kind == "V2" && (order == "<" || order == "|") { return .bfloat16 }
        let isLittle = order == "<" || (order == "=" && nativeIsLittle)
        let isBig = order == ">" || (order == "=" && !nativeIsLittle)
        let dtype: ElementType? = switch kind {
        case "f4": .float32
        case "f2": .float16
        default: nil
        }
        guard let dtype else { throw .unsupportedDtype(name: name, descr: descr) }
        if isBig { throw .bigEndian(name: name, descr: descr) }
        guard isLittle else { throw .unsupportedDtype(name: name, descr: descr) }
        return dtype
    }

    /// A tuple (or list) of non-negative ints that each fit in `Int`.
    private static func parseShape(_ value: PythonLiteral, name: String) throws(TensorError) -> [Int] {
        let items: [PythonLiteral]
        switch value {
        case .tuple(let t), .list(let t): items = t
        default: throw .malformedHeader(name: name, reason: "'shape' must be a tuple of ints, found \(value.repr)")
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let text) = item else {
                throw .malformedHeader(name: name, reason: "'shape' must be a tuple of ints, found \(value.repr)")
            }
            guard let dim = Int(text) else {
                throw .invalidShape(name: name, shape: value.repr, reason: "dimension \(text) does not fit in Int")
            }
            guard dim >= 0 else {
                throw .invalidShape(name: name, shape: value.repr, reason: "dimension \(dim) is negative")
            }
            shape.append(dim)
        }
        return shape
    }

    // MARK: Writing

    /// Descr NumPy writes for a dtype; bfloat16 as ml_dtypes writes it (`np.load(f).view(ml_dtypes.bfloat16)` reads it back).
    static func descr(for dtype: ElementType) -> String {
        switch dtype {
        case .float32: "<f4"
        case .float16: "<f2"
        case .bfloat16: "<V2"
        }
    }

    /// Preamble + header bytes exactly as `numpy.save` writes them: sorted keys,
    /// growth-axis spare spaces, space padding to a 64-byte boundary, final newline;
    /// version 1.0 unless the header needs more than 65535 bytes, then 2.0.
    static func encode(descr: String, shape: [Int]) -> [UInt8] {
        let shapeRepr = shape.count == 1
            ? "(\(shape[0]),)"
            : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeRepr), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
        }
        let text = Array(dict.utf8)  // ASCII only, so version 3.0 is never needed
        let textLength = text.count + 1  // + newline
        for (major, lengthSize) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let padding = alignment - (magic.count + 2 + lengthSize + textLength) % alignment
            let headerLength = textLength + padding
            guard lengthSize == 4 || headerLength <= Int(UInt16.max) else { continue }
            var out = magic + [major, 0]
            out.reserveCapacity(magic.count + 2 + lengthSize + headerLength)
            for i in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
            out += text
            out += [UInt8](repeating: 0x20, count: padding)
            out.append(0x0A)
            return out
        }
        preconditionFailure("unreachable: version 2.0 always fits")
    }
}
