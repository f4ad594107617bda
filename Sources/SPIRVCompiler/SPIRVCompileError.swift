/// Every failure of the GLSL → SPIR-V compiler. A failed compile carries glslang's full info
/// log and the diagnostics parsed from it, each with the offending source line quoted.
public enum SPIRVCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which glslang step failed.
    public enum Phase: String, Sendable, Hashable { case preprocess, parse, link, codeGeneration }

    /// `glslang_initialize_process` returned 0 (it never has on this machine).
    case initializationFailed
    /// The source contains a NUL byte (glslang reads a C string and would silently truncate).
    case invalidSource(name: String, reason: String)
    /// glslang rejected the source. `log` is glslang's info log, verbatim.
    case compileFailed(name: String, stage: ShaderStage, phase: Phase, log: String, diagnostics: [SPIRVDiagnostic])
    /// Code generation produced no words; `messages` is glslang's SPIR-V message log.
    case emptyOutput(name: String, messages: String)

    /// glslang's info log ("" for cases without one).
    public var log: String {
        switch self {
        case .compileFailed(_, _, _, let log, _): log
        case .emptyOutput(_, let messages): messages
        default: ""
        }
    }

    /// Parsed diagnostics (errors first as glslang wrote them); empty for cases without a log.
    public var diagnostics: [SPIRVDiagnostic] {
        if case .compileFailed(_, _, _, _, let diagnostics) = self { return diagnostics }
        return []
    }

    /// The offending source lines: (1-based line number, text) of every error that names one.
    public var offendingLines: [(line: Int, text: String)] {
        var seen = Set<Int>()
        return diagnostics.compactMap { d in
            guard d.severity == .error, let line = d.line, let text = d.sourceLine, seen.insert(line).inserted else { return nil }
            return (line, text)
        }
    }

    public var description: String {
        switch self {
        case .initializationFailed:
            return "glslang_initialize_process failed: the GLSL compiler could not be initialised."
        case let .invalidSource(name, reason):
            return "GLSL source '\(name)' is invalid: \(reason)."
        case let .compileFailed(name, stage, phase, log, diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            var text = "GLSL \(stage) shader '\(name)' failed to compile (glslang \(phase.rawValue)): "
                + "\(errors.count) error(s)"
            for diagnostic in diagnostics { text += "\n  " + diagnostic.description.replacingNewlines(with: "\n  ") }
            text += "\nglslang log:\n" + log
            return text
        case let .emptyOutput(name, messages):
            return "glslang produced no SPIR-V for shader '\(name)'" + (messages.isEmpty ? "." : ": \(messages)")
        }
    }
}

extension String {
    func replacingNewlines(with replacement: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
