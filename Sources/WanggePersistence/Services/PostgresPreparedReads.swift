import FluentKit
import Foundation
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// The hot reads on PostgreSQL as named prepared statements, their rows decoded by PostgresNIO's typed
/// cells. Fluent sends every statement unnamed, so PostgreSQL parsed and planned a tracking's lookup
/// afresh each time (0.5 ms of parsing and 1 ms of planning against 0.07 ms to run it, in its log), and
/// PostgresKit decodes each value through a generic path that writes the column's name into a coding
/// path first. A prepared statement is parsed once per connection (PostgresNIO keeps them by name) and
/// PostgreSQL settles on a generic plan after five runs.
///
/// SQLite's counterpart is `SQLiteDirectReader`; both serve `PlainReads`.
enum PostgresPreparedReads {
    /// The rows of `text` (PostgreSQL's `$n` placeholders) with `binds`, or nil when this path does not
    /// take it (the caller then goes through SQLKit, unnamed): when `db` is not PostgreSQL, a bind is of a
    /// type this path does not encode, or the statement is one of those `preparable` leaves out.
    static func rows(_ text: String, _ binds: [any Encodable & Sendable], on db: any Database) async throws -> [any SQLRow]? {
        guard preparable(text, binds: binds.count), let postgres = db as? any PostgresDatabase,
              let (bindings, types) = Self.bindings(binds)
        else { return nil }
        let statement = PreparedPlainRead(bindings: bindings)
        let identity = PreparedPlainRead.Identity(name: Self.name(of: text, types), sql: text)
        let logger = db.logger
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await PreparedPlainRead.$identity.withValue(identity) {
                    var rows: [any SQLRow] = []
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                    return rows
                }
            }
        }.get()
    }

    /// Statements kept on every connection must be few and must outlive a migration:
    /// - more than `maxBinds` values are lists of varying length (ids `IN (…)`), each length a statement
    ///   of its own on each connection;
    /// - a statement reading every column (`*`) would fail on every connection holding it once a newer
    ///   instance's migration added a column ("cached plan must not change result type"), where a
    ///   named list of columns reads on.
    static func preparable(_ text: String, binds: Int) -> Bool {
        binds <= maxBinds && !text.contains("SELECT *") && !text.contains(".*")
    }

    static let maxBinds = 16

    /// The binds the hot reads use; nil for any other, so that nothing is sent in a form PostgreSQL
    /// would read differently from SQLKit's.
    private static func bindings(_ binds: [any Encodable & Sendable]) -> (PostgresBindings, [UInt8])? {
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [UInt8] = []
        for bind in binds {
            switch bind {
            case let value as String: bindings.append(value); types.append(1)
            case let value as Int: bindings.append(value); types.append(2)
            case let value as Int64: bindings.append(value); types.append(3)
            case let value as UUID: bindings.append(value); types.append(4)
            case let value as Date: bindings.append(value); types.append(5)
            case let value as Bool: bindings.append(value); types.append(6)
            case let value as Double: bindings.append(value); types.append(7)
            case let value as [String]: bindings.append(value); types.append(8)
            case let value as [Int]: bindings.append(value); types.append(9)
            default: return nil
            }
        }
        return (bindings, types)
    }

    /// A name per text and bind types: the same text bound with other types is another statement
    /// to PostgreSQL.
    private static func name(of text: String, _ types: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 + types { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "wangge_" + String(hash, radix: 36)
    }
}

/// PostgresNIO takes a prepared statement's name and text from its type; this one type serves every
/// text, each call naming its own in a task-local value that `execute` reads as it sends the statement.
private struct PreparedPlainRead: PostgresPreparedStatement {
    struct Identity: Sendable {
        var name: String
        var sql: String
    }

    @TaskLocal static var identity = Identity(name: "", sql: "")
    static var name: String { identity.name }
    static var sql: String { identity.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> any SQLRow { PostgresPlainRow(row) }
}

/// A PostgreSQL row read by column name, the usual types decoded straight from their cells; anything
/// else goes through PostgresKit's own decoding, as before.
struct PostgresPlainRow: SQLRow {
    let whole: PostgresRow
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        whole = row
        self.row = row.makeRandomAccess()
    }

    var allColumns: [String] { row.map(\.columnName) }

    func contains(column: String) -> Bool { row.contains(column) }

    func decodeNil(column: String) throws -> Bool { !row.contains(column) || row[column].bytes == nil }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        guard row.contains(column) else { throw PostgresPlainRowError.missingColumn(column) }
        let cell = row[column]
        if let value = try? Self.fast(cell, as: T.self) { return value }
        return try whole.sql().decode(column: column, as: T.self)
    }

    /// nil when `T` is not one of the usual types, or the cell is not in the form its decoder reads.
    private static func fast<T>(_ cell: PostgresCell, as type: T.Type) throws -> T? {
        // Exact type identity, so the cast below reinterprets a value as its own type.
        func typed<V: PostgresDecodable>(_ v: V.Type) throws -> T? {
            T.self == V.self ? unsafeBitCast(try cell.decode(V.self), to: T.self) : nil
        }
        if let value = try typed(String.self) ?? typed(String?.self) { return value }
        if let value = try typed(Int.self) ?? typed(Int?.self) { return value }
        if let value = try typed(Int64.self) ?? typed(Int64?.self) { return value }
        if let value = try typed(Double.self) ?? typed(Double?.self) { return value }
        if let value = try typed(Bool.self) ?? typed(Bool?.self) { return value }
        if let value = try typed(UUID.self) ?? typed(UUID?.self) { return value }
        return try typed(Date.self) ?? typed(Date?.self)
    }
}

enum PostgresPlainRowError: Error {
    case missingColumn(String)
}
