/// The subset of Python literal syntax that appears in `.npy` headers
/// (`ast.literal_eval` on NumPy's side): strings, ints, booleans, None,
/// tuples, lists and one top-level dict with string keys.
enum PythonLiteral: Equatable {
    case string(String)
    /// Kept as text so an overflowing dimension can still be reported verbatim.
    case int(String)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])

    /// Python-style rendering for error messages.
    var repr: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .int(let text): text
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let items): items.count == 1 ? "(\(items[0].repr),)" : "(\(items.map(\.repr).joined(separator: ", ")))"
        case .list(let items): "[\(items.map(\.repr).joined(separator: ", "))]"
        }
    }
}

/// Recursive-descent parser over the raw header bytes. Every failure is a
/// `TensorError.malformedHeader`; nothing here traps on hostile input
/// (nesting depth is bounded so a header of "((((..." cannot blow the stack).
struct PythonLiteralParser {
    private let bytes: [UInt8]
    private let name: String
    /// v3.0 headers are UTF-8; v1.0/v2.0 are Latin-1.
    private let utf8: Bool
    private var pos = 0
    private static let maxDepth = 32

    init(bytes: [UInt8], name: String, utf8: Bool) {
        self.bytes = bytes
        self.name = name
        self.utf8 = utf8
    }

    /// Parses the whole header: one dict, then only whitespace (NumPy's padding).
    mutating func parseDict() throws(TensorError) -> [(key: String, value: PythonLiteral)] {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        var entries: [(key: String, value: PythonLiteral)] = []
        while true {
            skipSpace()
            if peek == UInt8(ascii: "}") { pos += 1; break }
            guard case .string(let key) = try parseValue(depth: 1) else {
                throw fail("dict keys must be strings")
            }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            let value = try parseValue(depth: 1)
            if entries.contains(where: { $0.key == key }) { throw fail("duplicate key '\(key)'") }
            entries.append((key, value))
            skipSpace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == UInt8(ascii: "}") { pos += 1; break }
            throw fail("expected ',' or '}'")
        }
        skipSpace()
        guard pos == bytes.count else { throw fail("unexpected text after the closing '}'") }
        return entries
    }

    private mutating func parseValue(depth: Int) throws(TensorError) -> PythonLiteral {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
        skipSpace()
        guard let c = peek else { throw fail("unexpected end of header") }
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString(quote: c))
        case UInt8(ascii: "("):
            return .tuple(try parseSequence(close: UInt8(ascii: ")"), depth: depth))
        case UInt8(ascii: "["):
            return .list(try parseSequence(close: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseInt())
        default:
            let word = readWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw fail(word.isEmpty ? "unexpected character '\(Self.show(c))'" : "unexpected '\(word)'")
            }
        }
    }

    /// `( a, b, )` or `[ a, b ]`; trailing comma allowed, `()` allowed.
    private mutating func parseSequence(close: UInt8, depth: Int) throws(TensorError) -> [PythonLiteral] {
        pos += 1  // opening bracket
        var items: [PythonLiteral] = []
        while true {
            skipSpace()
            if peek == close { pos += 1; return items }
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            if peek == UInt8(ascii: ",") { pos += 1; continue }
            if peek == close { pos += 1; return items }
            throw fail("expected ',' or '\(Self.show(close))'")
        }
    }

    /// Decimal integer with optional sign; a Python 2 `L` suffix (old NumPy files) is dropped.
    private mutating func parseInt() throws(TensorError) -> String {
        var text = ""
        if let c = peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            text.append(Character(Unicode.Scalar(c)))
            pos += 1
        }
        var digits = 0
        while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
            text.append(Character(Unicode.Scalar(c)))
            pos += 1
            digits += 1
        }
        guard digits > 0 else { throw fail("expected digits after '\(text)'") }
        if let c = peek, c == UInt8(ascii: "L") || c == UInt8(ascii: "l") { pos += 1 }
        if let c = peek, Self.isWordByte(c) || c == UInt8(ascii: ".") {
            throw fail("expected an integer but found '\(text)\(Self.show(c))'")
        }
        return text
    }

    private mutating func parseString(quote: UInt8) throws(TensorError) -> String {
        pos += 1
        var raw: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            pos += 1
            if c == quote { break }
            if c == UInt8(ascii: "\n") { throw fail("unterminated string") }
            if c == UInt8(ascii: "\\") {
                // Only simple escapes: NumPy never writes any in the keys we read.
                guard let next = peek else { throw fail("unterminated string") }
                pos += 1
                raw.append(next)
                continue
            }
            raw.append(c)
        }
        if utf8 {
            guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
            return s
        }
        return String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))  // Latin-1
    }

    private mutating func readWord() -> String {
        var word = ""
        while let c = peek, Self.isWordByte(c) {
            word.append(Character(Unicode.Scalar(c)))
            pos += 1
        }
        return word
    }

    private mutating func expect(_ c: UInt8) throws(TensorError) {
        skipSpace()
        guard peek == c else {
            throw fail("expected '\(Self.show(c))' but found \(peek.map { "'\(Self.show($0))'" } ?? "end of header")")
        }
        pos += 1
    }

    private mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C { pos += 1 }
    }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private func fail(_ reason: String) -> TensorError {
        .malformedHeader(name: name, reason: "\(reason) at byte \(pos) of header")
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    /// Printable form of one byte for messages.
    private static func show(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(Unicode.Scalar(c)) : "\\x" + String(c, radix: 16)
    }
}
