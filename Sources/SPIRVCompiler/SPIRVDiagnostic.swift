/// One message of glslang's info log, with the source line it points at quoted.
public struct SPIRVDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public let severity: Severity
    /// 1-based line in the GLSL source, when the message names one ("ERROR: 0:12: ...").
    public let line: Int?
    /// The message without its "ERROR: 0:12: " prefix.
    public let message: String
    /// The text of `line` in the source (nil when the message names no line or it is out of range).
    public let sourceLine: String?

    public init(severity: Severity, line: Int?, message: String, sourceLine: String?) {
        self.severity = severity
        self.line = line
        self.message = message
        self.sourceLine = sourceLine
    }

    public var description: String {
        let location = line.map { "line \($0): " } ?? ""
        var text = "\(severity.rawValue): \(location)\(message)"
        if let line, let sourceLine { text += "\n    \(line) | \(sourceLine)" }
        return text
    }

    /// Parses glslang's log: lines "ERROR: 0:LINE: message" / "WARNING: 0:LINE: message";
    /// summary lines ("ERROR: 1 compilation errors.  No code generated.") are kept without a line.
    static func parse(log: String, source: String) -> [SPIRVDiagnostic] {
        let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var diagnostics: [SPIRVDiagnostic] = []
        for raw in log.split(separator: "\n") {
            let entry = raw.trimmingCharacters(in: " \t\r")
            let severity: Severity
            let rest: Substring
            if let body = entry.dropPrefix("ERROR: ") { severity = .error; rest = body }
            else if let body = entry.dropPrefix("WARNING: ") { severity = .warning; rest = body }
            else if let body = entry.dropPrefix("NOTE: ") { severity = .note; rest = body }
            else { continue }
            // "0:12: 'x' : undeclared identifier" — string index, line, message.
            let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3, Int(parts[0]) != nil, let line = Int(parts[1]) {
                let message = parts[2].trimmingCharacters(in: " ")
                let quoted = line >= 1 && line <= sourceLines.count ? String(sourceLines[line - 1]) : nil
                diagnostics.append(SPIRVDiagnostic(severity: severity, line: line, message: String(message),
                                                   sourceLine: quoted?.trimmingCharacters(in: "\r")))
            } else {
                // "1 compilation errors.  No code generated." is a summary, not a diagnostic.
                if rest.hasSuffix("No code generated.") { continue }
                diagnostics.append(SPIRVDiagnostic(severity: severity, line: nil, message: String(rest), sourceLine: nil))
            }
        }
        return diagnostics
    }
}

extension StringProtocol {
    func dropPrefix(_ prefix: String) -> SubSequence? {
        hasPrefix(prefix) ? self[index(startIndex, offsetBy: prefix.count)...] : nil
    }

    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let first = firstIndex(where: { !chars.contains($0) }),
              let last = lastIndex(where: { !chars.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
