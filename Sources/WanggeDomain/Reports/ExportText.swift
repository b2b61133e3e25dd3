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
        var out: [UInt8] = []
        appendXMLEscaped(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `xmlEscape(s)`'s text appended as UTF-8, a run of plain bytes at a time: a list of 1,000 Open311 requests in XML
    /// escapes 11,000 values, and escaping each into a new string by its scalars was most of that answer's CPU.
    public static func appendXMLEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            out.reserveCapacity(out.count + utf8.count)
            var i = 0, run = 0
            while i < utf8.count {
                let byte = utf8[i]
                // Bytes written as they are go out a run at a time.
                switch byte {
                case ..<0x20, 0x22, 0x26, 0x27, 0x3C, 0x3E, 0xEF: break
                default:
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                switch byte {
                case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): out.append(contentsOf: "&apos;".utf8)
                case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): out.append(byte)
                case ..<0x20: break
                // U+FFFE and U+FFFF: EF BF BE and EF BF BF (0xEF only ever leads a character of three bytes).
                case 0xEF where i + 2 < utf8.count && utf8[i + 1] == 0xBF && utf8[i + 2] >= 0xBE:
                    i += 2
                default: out.append(byte)
                }
                i += 1
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
        }
    }
}
