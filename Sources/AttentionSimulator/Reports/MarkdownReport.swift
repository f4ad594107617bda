/// The report as Markdown: a heading, the machine, and one table per section.
struct MarkdownReport {
    let facts: ReportFacts

    func render() -> String {
        var lines = ["# Simulation: \(escape(facts.title))", "", "Machine: \(escape(facts.machine))"]
        for section in facts.sections {
            lines += ["", "## \(escape(section.title))", "", "| quantity | value |", "|---|---|"]
            lines += section.rows.map { "| \(escape($0.quantity)) | \(escape($0.value)) |" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pipes would split a table cell.
    private func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
