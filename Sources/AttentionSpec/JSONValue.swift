import Foundation

/// A parsed JSON document, so that spec decoding can name the exact field that is wrong.
public enum JSONValue: Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text; syntax errors carry the line and column of the offending character.
    public static func parse(_ data: Data) throws(SpecError) -> JSONValue {
        if let value = try? JSONDecoder().decode(JSONValue.self, from: data) { return value }
        throw syntaxError(in: data)
    }

    /// JSONDecoder reports no position; JSONSerialization reports a character offset.
    private static func syntaxError(in data: Data) -> SpecError {
        var detail = "the text is not valid JSON"
        var offset: Int?
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? detail
            if let range = detail.range(of: "character ") {
                offset = Int(detail[range.upperBound...].prefix(while: \.isNumber))
            } else if detail.contains("end of file") {
                offset = data.count
            }
        }
        guard let offset else { return .malformedJSON(detail: detail, line: nil, column: nil) }
        let (line, column) = lineAndColumn(of: offset, in: data)
        return .malformedJSON(detail: detail, line: line, column: column)
    }

    /// 1-based line and column of a byte offset.
    private static func lineAndColumn(of offset: Int, in data: Data) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Pretty, key-sorted text: stable for the same value.
    /// One line, keys sorted (stable), for machine-read files.
    public func compactText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public func prettyText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
