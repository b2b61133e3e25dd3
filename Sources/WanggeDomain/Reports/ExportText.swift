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
        // Trimmed as bytes: through `String`'s `contains`, `hasSuffix` and `removeLast` (Foundation's search, grapheme
        // walks) the trimming cost as much as the writing, and a dashboard's charts write hundreds of coordinates.
        var s = Array(FixedDecimal.string(x, digits: max(0, min(maxFractionDigits, 15))).utf8)
        let point = UInt8(ascii: "."), zero = UInt8(ascii: "0")
        if !keepZeros, s.contains(point) {
            while s.last == zero { s.removeLast() }
            if s.last == point { s.removeLast() }
        }
        if s.first == UInt8(ascii: "-"), s.dropFirst().allSatisfy({ $0 == zero || $0 == point }) { s.removeFirst() }
        return String(decoding: s, as: UTF8.self)
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
