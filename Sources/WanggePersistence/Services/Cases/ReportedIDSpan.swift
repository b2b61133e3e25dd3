import FluentKit
import Foundation
import SQLKit

/// The smallest and the largest id among the cases reported in a window of time: every case of the window has an id
/// between them, whatever order ids and times of report are in (an import of old cases, a clock set back), so a walk
/// in id order (the full-text index's matches, a term's entries) may keep to them. In a county's own data ids
/// follow the time of report, and the span is the window's cases alone.
struct ReportedIDSpan: Sendable {
    let lower: Int
    let upper: Int

    /// A window with no case: nothing lies between.
    static let empty = ReportedIDSpan(lower: 1, upper: 0)

    /// `column BETWEEN lower AND upper`.
    func contains(_ column: SQLQueryString) -> SQLQueryString {
        "\(column) BETWEEN \(bind: lower) AND \(bind: upper)"
    }
}

extension CaseQueryService {
    /// The span of the cases reported from `from` (included) to `to` (excluded), from the (created_at, id) index's
    /// entries alone (migration 018, widened by 028): 28,000 entries for a month of a million-case county. Nil where it
    /// is not worth reading: a window of more than `cap` cases.
    func reportedIDs(from: Date, to: Date, cap: Int = 50_000) async throws -> ReportedIDSpan? {
        // SQLite's own choice walked the cases in id order and read each row for its time.
        let index: SQLQueryString = (db as? any SQLDatabase)?.dialect.name == "sqlite"
            ? " INDEXED BY \(quoted: WidenCaseTimeIndex.index)" : ""
        let row = try await PlainReads.rows(SQLQueryString("""
            SELECT MIN(\(quoted: "id")) AS \(quoted: "lower"), MAX(\(quoted: "id")) AS \(quoted: "upper"), COUNT(*) AS \(quoted: "n") FROM \
            (SELECT \(quoted: "id") FROM \(quoted: CaseModel.schema)\(index) \
            WHERE \(quoted: "created_at") >= \(bind: from) AND \(quoted: "created_at") < \(bind: to) LIMIT \(literal: cap + 1)) AS \(quoted: "window")
            """), on: db).first
        guard let row, try row.decode(column: "n", as: Int.self) <= cap else { return nil }
        guard let lower = try row.decode(column: "lower", as: Int?.self), let upper = try row.decode(column: "upper", as: Int?.self) else {
            return .empty
        }
        return ReportedIDSpan(lower: lower, upper: upper)
    }
}
