import Foundation

/// CSV the way Excel on a Chinese Windows desktop reads it: UTF-8 with a BOM (without it Excel
/// guesses GBK and shows mojibake), CRLF line ends, RFC 4180 quoting.
public enum CSVExport {
    public static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The header line, then one line per row; the title is not written.
    public static func data(_ table: ReportTable) -> Data {
        var text = line(table.header.map { field(guarded($0)) })
        for row in table.rows {
            text += line(row.map { cell in
                // Only free text can carry a formula; a negative number is just a number.
                if case .text(let s) = cell { return field(guarded(s)) }
                return field(cell.displayText)
            })
        }
        return Data(bom) + Data(text.utf8)
    }

    private static func line(_ fields: [String]) -> String {
        fields.joined(separator: ",") + "\r\n"
    }

    /// Text that a spreadsheet would run as a formula (=, +, -, @, or a leading tab/CR that some
    /// readers strip first) gets a leading apostrophe: a report of citizens' words must not execute.
    static func guarded(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return s }
        return "'" + s
    }

    /// Quoted when it holds a quote, comma, CR or LF; inner quotes doubled.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "\"" || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
