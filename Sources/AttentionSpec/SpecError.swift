/// Why a spec is invalid. Every message names the field and the offending value.
public enum SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field holds a value outside its domain.
    case invalidValue(field: String, value: String, reason: String)
    /// A `kind` (mask, schedule, dtype) that is not one of the known ones.
    case unknownKind(field: String, value: String, known: [String])
    /// A required field is absent.
    case missingField(field: String)
    /// A per-axis list with the wrong number of entries.
    case mismatchedRank(field: String, found: Int, expected: Int, reference: String)
    /// The JSON text itself could not be parsed.
    case malformedJSON(detail: String, line: Int?, column: Int?)
    /// A field has the wrong JSON type.
    case wrongType(field: String, expected: String)
    /// Running, emitting or checking the spec would allocate more than the memory budget;
    /// `detail` lists what the bytes are for.
    case exceedsMemoryBudget(needed: Int, budget: Int, detail: String)

    public var field: String? {
        switch self {
        case .invalidValue(let field, _, _), .unknownKind(let field, _, _), .missingField(let field),
            .mismatchedRank(let field, _, _, _), .wrongType(let field, _):
            field
        case .malformedJSON, .exceedsMemoryBudget: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidValue(let field, let value, let reason):
            "\(field) = \(value): \(reason)"
        case .unknownKind(let field, let value, let known):
            "\(field) = \"\(value)\" is not a known kind (expected one of: \(known.joined(separator: ", ")))"
        case .missingField(let field):
            "\(field) is missing"
        case .mismatchedRank(let field, let found, let expected, let reference):
            "\(field) has \(found) entries but \(reference) has \(expected) axes"
        case .malformedJSON(let detail, let line, let column):
            if let line, let column {
                "malformed JSON at line \(line), column \(column): \(detail)"
            } else {
                "malformed JSON: \(detail)"
            }
        case .wrongType(let field, let expected):
            "\(field) must be \(expected)"
        case .exceedsMemoryBudget(let needed, let budget, let detail):
            "the spec needs \(needed) bytes (\(detail)) but the memory budget is \(budget) bytes; "
                + "shrink the problem or its tiles, or raise the budget (--memory-budget BYTES)"
        }
    }
}
