/// A self-contained HTML page: the fact tables and the pictures inline, no external resources.
struct HTMLReport {
    let facts: ReportFacts
    let pictures: SVGReport

    func render() -> String {
        var html = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<title>attngen simulate: \(xmlEscape(facts.title))</title>", "<style>\(Self.css)</style>", "</head>", "<body>",
            "<h1>Block-sparsity simulation</h1>",
            "<p class=\"spec\">\(xmlEscape(facts.title))</p>",
            "<p>Machine: \(xmlEscape(facts.machine))</p>",
        ]
        for section in facts.sections {
            html.append("<h2>\(xmlEscape(section.title))</h2>")
            html.append("<table><thead><tr><th>quantity</th><th>value</th></tr></thead><tbody>")
            html += section.rows.map { "<tr><td>\(xmlEscape($0.quantity))</td><td>\(xmlEscape($0.value))</td></tr>" }
            html.append("</tbody></table>")
        }
        html.append("<h2>Pictures</h2>")
        html += pictures.panels.map { "<figure>\n\($0.document())</figure>" }
        html += ["</body>", "</html>"]
        return html.joined(separator: "\n") + "\n"
    }

    private static let css = """
        body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #222; max-width: 860px; margin: 2em auto; padding: 0 1em; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
        .spec { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 0.9em; background: #f4f4f4; padding: 0.5em; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.25em 0.7em; text-align: left; }
        th { background: #f0f0f0; } figure { margin: 1em 0; } svg { max-width: 100%; height: auto; }
        """
}
