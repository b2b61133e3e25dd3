import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// A value for a bulk insert, converted once per database: SQLite gets its own values bound
/// directly (no `Encodable` round trip, which cost the generator more than SQLite itself), other
/// databases get SQLKit binds.
enum BulkValue: Sendable {
    case int(Int)
    case double(Double)
    case text(String)
    case bool(Bool)
    case date(Date)
    case null

    static func text(_ value: String?) -> BulkValue { value.map { .text($0) } ?? .null }
    static func date(_ value: Date?) -> BulkValue { value.map { .date($0) } ?? .null }
    static func bool(_ value: Bool?) -> BulkValue { value.map { .bool($0) } ?? .null }

    /// As Fluent's SQLite encoder stores it: booleans as 0/1, dates as seconds since 1970.
    var sqlite: SQLiteData {
        switch self {
        case .int(let v): .integer(v)
        case .double(let v): .float(v)
        case .text(let v): .text(v)
        case .bool(let v): .integer(v ? 1 : 0)
        case .date(let v): .float(v.timeIntervalSince1970)
        case .null: .null
        }
    }

    var expression: any SQLExpression {
        switch self {
        case .int(let v): SQLBind(v)
        case .double(let v): SQLBind(v)
        case .text(let v): SQLBind(v)
        case .bool(let v): SQLBind(v)
        case .date(let v): SQLBind(v)
        case .null: SQLLiteral.null
        }
    }
}

/// Multi-row INSERTs of rows given as one flat array (`columns.count` values per row).
struct BulkInsert {
    let table: String
    let columns: [String]
    /// Rows per statement; SQLite allows 32,766 bound values per statement, PostgreSQL 65,535.
    let rowsPerStatement: Int

    init(table: String, columns: [String]) {
        self.table = table
        self.columns = columns
        rowsPerStatement = max(1, 30_000 / columns.count)
    }

    func run(_ values: [BulkValue], on db: any Database) async throws {
        precondition(values.count % columns.count == 0, "\(table): values are not whole rows")
        let width = columns.count
        var start = 0
        while start < values.count {
            let end = min(start + rowsPerStatement * width, values.count)
            let slice = values[start..<end]
            if let sqlite = db as? any SQLiteDatabase {
                _ = try await sqlite.query(statement(rows: slice.count / width), slice.map(\.sqlite))
            } else if let sql = db as? any SQLDatabase {
                var insert = sql.insert(into: table).columns(columns)
                var row = slice.startIndex
                while row < slice.endIndex {
                    insert = insert.values(slice[row..<(row + width)].map(\.expression))
                    row += width
                }
                try await insert.run()
            }
            start = end
        }
    }

    func statement(rows: Int) -> String {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
            + Array(repeating: placeholders, count: rows).joined(separator: ",")
    }
}
