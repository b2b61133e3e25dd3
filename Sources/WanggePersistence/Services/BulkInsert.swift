import FluentKit
import Foundation
import PostgresKit
import SQLKit
import SQLiteNIO

/// A value for a bulk insert, converted once per database: SQLite gets its own values bound
/// directly (no `Encodable` round trip, which cost the generator more than SQLite itself), other
/// databases get SQLKit binds.
public enum BulkValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case text(String)
    case bool(Bool)
    case date(Date)
    /// Stored as text on SQLite (as Fluent stores it there), as `uuid` on PostgreSQL.
    case uuid(UUID)
    case null

    public static func text(_ value: String?) -> BulkValue { value.map { .text($0) } ?? .null }
    public static func date(_ value: Date?) -> BulkValue { value.map { .date($0) } ?? .null }
    public static func bool(_ value: Bool?) -> BulkValue { value.map { .bool($0) } ?? .null }

    /// As Fluent's SQLite encoder stores it: booleans as 0/1, dates as seconds since 1970.
    var sqlite: SQLiteData {
        switch self {
        case .int(let v): .integer(v)
        case .double(let v): .float(v)
        case .text(let v): .text(v)
        case .bool(let v): .integer(v ? 1 : 0)
        case .date(let v): .float(v.timeIntervalSince1970)
        case .uuid(let v): .text(v.uuidString)
        case .null: .null
        }
    }

    var expression: any SQLExpression {
        plainBind.map { SQLBind($0) } ?? SQLLiteral.null
    }

    /// The value as a bind PostgresNIO encodes itself (`PostgresPreparedReads`); nil for NULL.
    var plainBind: (any Encodable & Sendable)? {
        switch self {
        case .int(let v): v
        case .double(let v): v
        case .text(let v): v
        case .bool(let v): v
        case .date(let v): v
        case .uuid(let v): v
        case .null: nil
        }
    }

    /// A column of a row returned through SQLKit: an integer where it is one, else text (what the
    /// `RETURNING` lists here ask for).
    init(_ row: any SQLRow, column: String) {
        if let v = try? row.decode(column: column, as: Int.self) {
            self = .int(v)
        } else {
            self = .text(try? row.decode(column: column, as: String.self))
        }
    }

    /// A value as read back from SQLite.
    init(_ data: SQLiteData) {
        switch data {
        case .integer(let v): self = .int(v)
        case .float(let v): self = .double(v)
        case .text(let v): self = .text(v)
        case .blob, .null: self = .null
        }
    }

    public var int: Int? {
        if case .int(let v) = self { return v }
        return nil
    }

    public var text: String? {
        if case .text(let v) = self { return v }
        return nil
    }
}

/// Multi-row INSERTs of rows given as one flat array (`columns.count` values per row), or upserts
/// when `conflict` is given (an `ON CONFLICT …` clause, which SQLite and PostgreSQL read alike).
public struct BulkInsert: Sendable, Hashable {
    let table: String
    let columns: [String]
    let conflict: String?
    /// Rows per statement; SQLite allows 32,766 bound values per statement, PostgreSQL 65,535.
    let rowsPerStatement: Int

    public init(table: String, columns: [String], conflict: String? = nil) {
        self.table = table
        self.columns = columns
        self.conflict = conflict
        rowsPerStatement = max(1, 30_000 / columns.count)
    }

    /// An upsert that adds each of `counters` to the row already holding the same `key` (rollups,
    /// gauges, the daily code counter).
    static func adding(to table: String, columns: [String], key: [String], counters: [String]) -> BulkInsert {
        BulkInsert(table: table, columns: columns, conflict: "ON CONFLICT (\(key.joined(separator: ", "))) DO UPDATE SET "
            + counters.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", "))
    }

    /// Inserts the rows and returns the `returning` columns of each (integers or text), in no
    /// particular order: match them by a unique column.
    @discardableResult
    public func run(_ values: [BulkValue], returning: [String] = [], on db: any Database) async throws -> [[String: BulkValue]] {
        precondition(values.count % columns.count == 0, "\(table): values are not whole rows")
        let width = columns.count
        var start = 0
        var out: [[String: BulkValue]] = []
        while start < values.count {
            let end = min(start + rowsPerStatement * width, values.count)
            let slice = values[start..<end]
            if let sqlite = db as? any SQLiteDatabase {
                let rows = try await sqlite.query(statement(rows: slice.count / width, returning: returning), slice.map(\.sqlite))
                for row in rows {
                    out.append(Dictionary(uniqueKeysWithValues: returning.map { ($0, BulkValue(row.column($0) ?? .null)) }))
                }
            } else if db is any PostgresDatabase, let json = PostgresJSONRows.json(slice, columns: columns),
                      let rows = try await PostgresPreparedReads.rows(PostgresJSONRows.insert(into: table, columns: columns, tail: tail(returning)),
                                                                      [json], on: db) {
                // A statement the prepared path declines (nil) is written below, one bind per value, never skipped.
                for row in rows {
                    out.append(Dictionary(uniqueKeysWithValues: returning.map { ($0, BulkValue(row, column: $0)) }))
                }
            } else if let sql = db as? any SQLDatabase {
                var query = SQLQueryString(stringLiteral: head)
                var row = slice.startIndex
                while row < slice.endIndex {
                    query.appendLiteral(row == slice.startIndex ? "(" : ", (")
                    query.appendList(slice[row..<(row + width)])
                    query.appendLiteral(")")
                    row += width
                }
                query.appendLiteral(tail(returning))
                for row in try await sql.raw(query).all() {
                    out.append(Dictionary(uniqueKeysWithValues: returning.map { ($0, BulkValue(row, column: $0)) }))
                }
            }
            start = end
        }
        return out
    }

    /// The statement with `?` placeholders for `rows` rows.
    func statement(rows: Int, returning: [String] = []) -> String {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        return head + Array(repeating: placeholders, count: rows).joined(separator: ",") + tail(returning)
    }

    private var head: String {
        "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ",") + ") VALUES "
    }

    func tail(_ returning: [String]) -> String {
        (conflict.map { " " + $0 } ?? "") + (returning.isEmpty ? "" : " RETURNING " + returning.map { "\"\($0)\"" }.joined(separator: ", "))
    }
}

extension SQLQueryString {
    /// Values bound one by one in the dialect's own way, separated by commas: a row of an insert, or
    /// an `IN` list.
    mutating func appendList(_ values: some Sequence<BulkValue>) {
        for (index, value) in values.enumerated() {
            if index > 0 { appendLiteral(", ") }
            appendInterpolation(value.expression)
        }
    }
}
