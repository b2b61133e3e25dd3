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
    /// `fixedText`: the caller's texts are few whatever the number of binds (an update of a step's named
    /// columns), so more than `maxBinds` values do not make a statement per list length.
    static func rows(_ text: String, _ binds: [any Encodable & Sendable], fixedText: Bool = false, on db: any Database) async throws
        -> [any SQLRow]? {
        try await prepared(text, binds, fixedText: fixedText, on: db) { rows in
            guard let first = rows.first else { return [] }
            // Every row of a result has the same columns: their places are found once. PostgresNIO's own
            // lookup (and so PostgresKit's row) keeps the last of two columns of one name.
            let columns = ResultColumns(names: first.map(\.columnName), keeping: .last)
            return rows.map { PostgresPlainRow($0, columns) }
        }
    }

    /// The rows of `text` made into `T`s by position (`PostgresPositionalRow`), or nil when this path does not take it.
    /// `forItsValues`: planned for the values bound at each read, never kept (an unnamed statement), for a read
    /// whose best plan turns on them (`CaseListQuery.plannedForItsValues`).
    static func decoded<T: PositionallyDecodable>(_ text: String, _ binds: [any Encodable & Sendable], as type: T.Type,
                                                  forItsValues: Bool = false, on db: any Database) async throws -> [T]? {
        try await prepared(text, binds, fixedText: false, forItsValues: forItsValues, on: db) { rows in
            try rows.map { try T(positions: PostgresPositionalRow($0)) }
        }
    }

    /// The rows of `text` as PostgresNIO gives them, made into `Result`s on the connection's event loop.
    private static func prepared<Result: Sendable>(_ text: String, _ binds: [any Encodable & Sendable], fixedText: Bool,
                                                   forItsValues: Bool = false, on db: any Database,
                                                   _ make: @escaping @Sendable ([PostgresRow]) throws -> Result)
        async throws -> Result? {
        guard let postgres = db as? any PostgresDatabase, forItsValues || preparable(text, binds: fixedText ? 0 : binds.count),
              let (bindings, types) = Self.bindings(binds)
        else { return nil }
        let logger = db.logger
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [PostgresRow] = []
                if forItsValues {
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: text, binds: bindings), logger: logger) {
                        rows.append(row)
                    }
                } else {
                    let identity = PreparedPlainRead.Identity(name: Self.name(of: text, types), sql: text)
                    try await PreparedPlainRead.$identity.withValue(identity) {
                        for try await row in try await connection.execute(PreparedPlainRead(bindings: bindings), logger: logger) {
                            rows.append(row)
                        }
                    }
                }
                return try make(rows)
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
        // C's `strstr`: Foundation's `contains` goes through NSString (a per cent of a report's work), the
        // standard library's generic searcher was fifteen.
        binds <= maxBinds && text.withCString { strstr($0, "SELECT *") == nil && strstr($0, ".*") == nil }
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
    /// to PostgreSQL. A 64-bit hash: two of the few hundred texts an instance sends sharing one is
    /// about as likely as one in 10¹³.
    private static func name(of text: String, _ types: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in types { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "wangge_" + String(hash, radix: 36)
    }
}

/// PostgresNIO takes a prepared statement's name and text from its type; this one type serves every
/// text, each call naming its own in a task-local value that `execute` reads as it sends the statement
/// (PostgresNIO 1.33 reads both before its first suspension, in the caller's task; were that to change,
/// every prepared read would fail and `PostgresPreparedReadsTests` with it).
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

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// A PostgreSQL row read by column name, the usual types decoded straight from their cells; anything
/// else goes through PostgresKit's own decoding, as before. PostgresKit's row writes each value's
/// column name into a coding path before decoding it, and looks the column up twice: a fifth of the
/// overview's CPU went there.
struct PostgresPlainRow: SQLRow {
    let whole: PostgresRow
    let row: PostgresRandomAccessRow
    let columns: ResultColumns

    init(_ row: PostgresRow, _ columns: ResultColumns) {
        whole = row
        self.row = row.makeRandomAccess()
        self.columns = columns
    }

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offset(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let place = columns.offset(of: column) else { return true }
        return row[place].bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        guard let place = columns.offset(of: column) else { throw PostgresPlainRowError.missingColumn(column) }
        if let convert = Self.commonConversions[ObjectIdentifier(T.self)], let converted = try? convert(row[place]) {
            return converted.as(T.self)
        }
        return try whole.sql().decode(column: column, as: T.self)
    }

    /// The common types by their PostgresNIO initializers, found by the type's identity (as on SQLite).
    /// nil for a NULL read as a non-optional, and a throw for a cell in another form: PostgresKit's
    /// decoding then gives its usual answer or error.
    private static let commonConversions = ConversionTable<@Sendable (PostgresCell) throws -> CommonValue?>([
        (ObjectIdentifier(String.self), plain(CommonValue.string)), (ObjectIdentifier(String?.self), optional(CommonValue.optionalString)),
        (ObjectIdentifier(Int.self), plain(CommonValue.int)), (ObjectIdentifier(Int?.self), optional(CommonValue.optionalInt)),
        (ObjectIdentifier(Date.self), plain(CommonValue.date)), (ObjectIdentifier(Date?.self), optional(CommonValue.optionalDate)),
        (ObjectIdentifier(Double.self), plain(CommonValue.double)), (ObjectIdentifier(Double?.self), optional(CommonValue.optionalDouble)),
        (ObjectIdentifier(Bool.self), plain(CommonValue.bool)), (ObjectIdentifier(Bool?.self), optional(CommonValue.optionalBool)),
        (ObjectIdentifier(Int64.self), plain(CommonValue.int64)), (ObjectIdentifier(Int64?.self), optional(CommonValue.optionalInt64)),
        (ObjectIdentifier(UUID.self), plain(CommonValue.uuid)), (ObjectIdentifier(UUID?.self), optional(CommonValue.optionalUUID)),
    ])

    private static func plain<V: PostgresDecodable & Sendable>(_ wrap: @escaping @Sendable (V) -> CommonValue) -> @Sendable (PostgresCell) throws -> CommonValue? {
        { cell in
            guard var bytes = cell.bytes else { return nil }
            return wrap(try V(from: &bytes, type: cell.dataType, format: cell.format, context: .default))
        }
    }

    private static func optional<V: PostgresDecodable & Sendable>(_ wrap: @escaping @Sendable (V?) -> CommonValue) -> @Sendable (PostgresCell) throws -> CommonValue? {
        { cell in
            guard var bytes = cell.bytes else { return wrap(nil) }
            return wrap(try V(from: &bytes, type: cell.dataType, format: cell.format, context: .default))
        }
    }
}

enum PostgresPlainRowError: Error {
    case missingColumn(String)
}
