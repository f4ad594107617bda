/// Reads one JSON object field by field, naming each field by its dotted path in errors and
/// rejecting fields it does not know (a misspelt field must not be silently ignored).
struct JSONReader {
    let path: String
    private let fields: [String: JSONValue]

    init(_ value: JSONValue, path: String) throws(SpecError) {
        guard case .object(let fields) = value else { throw .wrongType(field: path.isEmpty ? "spec" : path, expected: "an object") }
        self.path = path
        self.fields = fields
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool {
        if let value = fields[key], value != .null { return true }
        return false
    }

    func rejectUnknown(allowed: Set<String>) throws(SpecError) {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .invalidValue(
                field: name(unknown), value: "…",
                reason: "is not a known field here (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func value(_ key: String) throws(SpecError) -> JSONValue {
        guard let value = fields[key], value != .null else { throw .missingField(field: name(key)) }
        return value
    }

    func object(_ key: String) throws(SpecError) -> JSONReader { try JSONReader(value(key), path: name(key)) }

    func int(_ key: String) throws(SpecError) -> Int { try Self.int(value(key), field: name(key)) }

    func double(_ key: String) throws(SpecError) -> Double {
        guard case .number(let number) = try value(key) else { throw .wrongType(field: name(key), expected: "a number") }
        return number
    }

    func string(_ key: String) throws(SpecError) -> String {
        guard case .string(let text) = try value(key) else { throw .wrongType(field: name(key), expected: "a string") }
        return text
    }

    func bool(_ key: String) throws(SpecError) -> Bool {
        guard case .bool(let flag) = try value(key) else { throw .wrongType(field: name(key), expected: "true or false") }
        return flag
    }

    func array(_ key: String) throws(SpecError) -> [JSONValue] {
        guard case .array(let items) = try value(key) else { throw .wrongType(field: name(key), expected: "an array") }
        return items
    }

    func ints(_ key: String) throws(SpecError) -> [Int] {
        var result: [Int] = []
        for (n, item) in try array(key).enumerated() { result.append(try Self.int(item, field: "\(name(key))[\(n)]")) }
        return result
    }

    func doubles(_ key: String) throws(SpecError) -> [Double] {
        var result: [Double] = []
        for (n, item) in try array(key).enumerated() {
            guard case .number(let number) = item else { throw .wrongType(field: "\(name(key))[\(n)]", expected: "a number") }
            result.append(number)
        }
        return result
    }

    func bools(_ key: String) throws(SpecError) -> [Bool] {
        var result: [Bool] = []
        for (n, item) in try array(key).enumerated() {
            guard case .bool(let flag) = item else { throw .wrongType(field: "\(name(key))[\(n)]", expected: "true or false") }
            result.append(flag)
        }
        return result
    }

    func intRows(_ key: String) throws(SpecError) -> [[Int]] {
        var rows: [[Int]] = []
        for (r, row) in try array(key).enumerated() {
            guard case .array(let items) = row else { throw .wrongType(field: "\(name(key))[\(r)]", expected: "an array of integers") }
            var values: [Int] = []
            for (n, item) in items.enumerated() { values.append(try Self.int(item, field: "\(name(key))[\(r)][\(n)]")) }
            rows.append(values)
        }
        return rows
    }

    static func int(_ value: JSONValue, field: String) throws(SpecError) -> Int {
        guard case .number(let number) = value else { throw .wrongType(field: field, expected: "an integer") }
        guard number.rounded() == number, abs(number) < 9e15 else {
            throw .invalidValue(field: field, value: "\(number)", reason: "must be an integer")
        }
        return Int(number)
    }
}
