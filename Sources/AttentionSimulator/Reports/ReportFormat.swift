/// The output formats of `attngen simulate`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, markdown, svg, html
}
