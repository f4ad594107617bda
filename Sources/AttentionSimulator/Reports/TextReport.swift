import Foundation

/// The report as aligned plain-text tables, for a terminal.
struct TextReport {
    let facts: ReportFacts

    func render() -> String {
        var lines = [facts.title, "machine \(facts.machine)"]
        let width = facts.sections.flatMap(\.rows).map(\.quantity.count).max() ?? 0
        for section in facts.sections {
            lines.append("")
            lines.append(section.title)
            for row in section.rows {
                lines.append("  " + row.quantity.padding(toLength: width + 2, withPad: " ", startingAt: 0) + row.value)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
