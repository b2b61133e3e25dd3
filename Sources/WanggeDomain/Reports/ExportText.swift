import Foundation

/// Text rules shared by the CSV/XLSX exports and the SVG charts.
public enum ExportText {
    /// "—" stands for "nothing to count" everywhere, never 0 or 100%.
    public static let missing = "—"

    /// 0.986 → "98.6%"; nil or not finite → "—".
    public static func percent(_ fraction: Double?, fractionDigits: Int = 1) -> String {
        guard let fraction, fraction.isFinite else { return missing }
        return decimal(fraction * 100, maxFractionDigits: fractionDigits, keepZeros: true) + "%"
    }

    /// At most `maxFractionDigits` decimals, trailing zeros dropped unless `keepZeros`, never "-0"
    /// (0.1 + 0.2 prints as "0.3", not "0.30000000000000004").
    public static func decimal(_ x: Double, maxFractionDigits: Int, keepZeros: Bool = false) -> String {
        guard x.isFinite else { return missing }
        var s = FixedDecimal.string(x, digits: max(0, min(maxFractionDigits, 15)))
        if !keepZeros, s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
        return s
    }

    /// Escapes & < > " ' and drops characters XML 1.0 forbids (control characters other than tab,
    /// LF, CR; U+FFFE, U+FFFF), which would otherwise make the whole file unreadable.
    public static func xmlEscape(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
