import Foundation

/// One cell of an exported report. Typed so XLSX can keep numbers as numbers.
public enum ReportCell: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case number(Double)
    /// A fraction (0.986 is 98.6%); nil is "nothing to count" and shows as "—".
    case percent(Double?)

    /// How the cell reads in CSV and anywhere else text is needed.
    public var displayText: String {
        switch self {
        case .text(let s): s
        case .integer(let i): String(i)
        case .number(let d): ExportText.decimal(d, maxFractionDigits: 4)
        case .percent(let f): ExportText.percent(f)
        }
    }
}

/// A report as exported: one CSV file or one XLSX sheet.
public struct ReportTable: Sendable, Equatable {
    /// The XLSX sheet name; not part of the CSV.
    public var title: String
    public var header: [String]
    public var rows: [[ReportCell]]

    public init(title: String, header: [String], rows: [[ReportCell]]) {
        self.title = title
        self.header = header
        self.rows = rows
    }
}
