import Foundation

/// Number formatting shared by every report. Fixed formats (no locale) keep output byte-stable.
enum Units {
    /// `1234567` → `1,234,567`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    /// `1 key tile`, `2 key tiles`.
    static func count(_ value: Int, _ noun: String) -> String { "\(count(value)) \(noun)\(value == 1 ? "" : "s")" }

    /// Three significant digits with an SI prefix: `1.07e9` → `1.07 G`.
    static func si(_ value: Double, unit: String) -> String {
        guard value.isFinite else { return "∞ \(unit)" }
        let prefixes = ["", "k", "M", "G", "T", "P", "E"]
        var scaled = value
        var index = 0
        while abs(scaled) >= 999.5 && index < prefixes.count - 1 {
            scaled /= 1000
            index += 1
        }
        return "\(significant(scaled)) \(prefixes[index])\(unit)"
    }

    static func flops(_ value: Double) -> String { si(value, unit: "FLOP") }

    /// Seconds in the unit that reads best: ns, µs, ms or s.
    static func seconds(_ value: Double) -> String {
        let unit = TimeUnit(forMagnitude: value)
        return "\(significant(value * unit.scale)) \(unit.symbol)"
    }

    /// `5.2197` → `5.22×`.
    static func speedup(_ value: Double) -> String { value.isFinite ? String(format: "%.2f×", value) : "∞" }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    /// Three significant digits, without trailing zeros past the point (`12.3`, `0.512`, `100`).
    static func significant(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        let decimals = max(0, 2 - Int(floor(log10(abs(value)))))
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// A time unit chosen for a magnitude, for tables and chart axes.
struct TimeUnit {
    let symbol: String
    /// Multiply seconds by this to get the unit.
    let scale: Double

    init(forMagnitude seconds: Double) {
        switch abs(seconds) {
        case 0..<1e-6 where seconds != 0: (symbol, scale) = ("ns", 1e9)
        case 0..<1e-3: (symbol, scale) = ("µs", 1e6)
        case 1e-3..<1: (symbol, scale) = ("ms", 1e3)
        default: (symbol, scale) = ("s", 1)
        }
    }
}
