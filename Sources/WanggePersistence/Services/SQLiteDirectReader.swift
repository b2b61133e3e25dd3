import CShims
import FluentKit
import Foundation
import SQLiteKit
import SQLiteNIO
import SQLKit
// SQLite's C API as SQLiteNIO vendors it (its functions carry a `sqlite_nio_` prefix). It is a
// module of the SQLiteNIO package that this target reaches through its SQLiteNIO dependency.
import VaporCSQLite

/// The hot reads on SQLite (a case by code or query code, its events and attachments, a session,
/// a queue page) run here, on SQLite's C API, instead of through SQLiteNIO. SQLiteNIO compiles
/// every statement anew and runs each on a thread pool, hopping there and back with futures; for a
/// read that finds its rows in the page cache in microseconds, that was most of a tracking
/// request. Here each connection keeps its prepared statements, and a read runs on the calling
/// task's thread, the way SQLite is meant to be used in-process.
///
/// Connections are opened on the same file with `query_only`, so they cannot write. In WAL mode each
/// statement reads the last committed state, as a read on the pool would; reads inside a write
/// transaction never come here (they must see the transaction's own rows).
public final class SQLiteDirectReader: @unchecked Sendable {
    /// Bound for each web request on SQLite (like `SQLiteWriter.database`); without it reads take
    /// the usual path, so commands, jobs and PostgreSQL are unaffected.
    @TaskLocal public static var current: SQLiteDirectReader?

    private let path: String
    private let keepIdle: Int
    private let lock = NSLock()
    private var idle: [Connection] = []
    private var closed = false

    public init(path: String, keepIdle: Int) {
        self.path = path
        self.keepIdle = keepIdle
    }

    /// Drops the idle connections (each closes its handle as it goes); ones in use close when they come back.
    public func close() {
        lock.withLock {
            closed = true
            idle = []
        }
    }

    /// Runs one SELECT with `?N` placeholders and returns its rows, decoded as SQLiteKit decodes them.
    public func rows(_ sql: String, _ binds: [SQLiteData]) throws -> [any SQLRow] {
        var rows: [any SQLRow] = []
        try withConnection { connection in
            try connection.step(sql, binds) { statement, columns in
                rows.append(DirectRow(columns: columns, values: (0..<Int32(columns.names.count)).map { SQLiteCalls.column($0, of: statement) }))
            }
        }
        return rows
    }

    /// Runs one SELECT as `rows` does, making each row into a `T` by position straight from the statement.
    func decoded<T: PositionallyDecodable>(_ sql: String, _ binds: [SQLiteData], as type: T.Type) throws -> [T] {
        var decoded: [T] = []
        try withConnection { connection in
            try connection.step(sql, binds) { statement, columns in
                decoded.append(try T(positions: StatementRow(statement: statement, count: columns.names.count)))
            }
        }
        return decoded
    }

    private func withConnection(_ body: (Connection) throws -> Void) throws {
        let connection = try lock.withLock { idle.popLast() } ?? Connection(path: path)
        // A connection not kept is released here and closes itself.
        defer { lock.withLock { if !closed, idle.count < keepIdle { idle.append(connection) } } }
        try body(connection)
    }

    /// How many statements the idle connections compiled, and how many times SQLite compiled one of
    /// their kept statements again (for tests: a kept statement should be compiled once).
    public var compilations: (prepared: Int, recompiled: Int) {
        lock.withLock { idle.reduce((0, 0)) { ($0.0 + $1.prepared, $0.1 + $1.recompiled) } }
    }

    /// Encodes bound values as SQLiteKit does for the pool's connections.
    public static func data(_ values: [any Encodable & Sendable]) throws -> [SQLiteData] {
        try values.map { try encoder.encode($0) }
    }

    private static let encoder = SQLiteDataEncoder()

    /// One open handle and its prepared statements, used by one task at a time.
    private final class Connection {
        private var handle: OpaquePointer?
        private var statements: [String: (statement: OpaquePointer, columns: ResultColumns)] = [:]
        /// Statements kept per connection; queue filters combine into many texts, so the cache is bounded.
        private static let statementLimit = 200
        private(set) var prepared = 0

        var recompiled: Int {
            statements.values.reduce(0) { $0 + Int(sqlite_nio_sqlite3_stmt_status($1.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) }
        }

        init(path: String) throws {
            sqlite_nio_sqlite3_initialize()
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
            let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard status == SQLITE_OK else {
                throw SQLiteDirectReadError(code: status, message: "Failed to open \(path) for reading")
            }
            // Plans that never depend on bound values: otherwise SQLite marks a statement for recompiling
            // whenever it may use a parameter's value in planning, and kept statements would be compiled anew.
            let stable = wangge_sqlite_enable_stable_plans(UnsafeMutableRawPointer(handle))
            guard stable == SQLITE_OK else { throw error(stable) }
            // A reader only waits while a checkpoint resets the log; a busy timeout sleeps instead of failing.
            for pragma in ["PRAGMA query_only=ON", "PRAGMA busy_timeout=5000"] {
                let result = sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil)
                guard result == SQLITE_OK else { throw error(result) }
            }
        }

        /// Also runs when opening fails half-way, so a handle never leaks.
        deinit {
            for (statement, _) in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            sqlite_nio_sqlite3_close(handle)
        }

        /// Runs `sql` with `binds`, handing each row to `row` while the statement stands on it.
        func step(_ sql: String, _ binds: [SQLiteData], _ row: (OpaquePointer, ResultColumns) throws -> Void) throws {
            let (statement, columns) = try prepared(sql)
            // Every parameter is bound anew below, so the old values need no clearing.
            defer { sqlite_nio_sqlite3_reset(statement) }
            for (index, value) in binds.enumerated() {
                let status = SQLiteCalls.bind(value, at: Int32(index + 1), statement)
                guard status == SQLITE_OK else { throw error(status) }
            }
            while true {
                let status = sqlite_nio_sqlite3_step(statement)
                if status == SQLITE_DONE { return }
                guard status == SQLITE_ROW else { throw error(status) }
                try row(statement, columns)
            }
        }

        private func prepared(_ sql: String) throws -> (statement: OpaquePointer, columns: ResultColumns) {
            if let cached = statements[sql] { return cached }
            var statement: OpaquePointer?
            let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard status == SQLITE_OK, let statement else { throw error(status) }
            prepared += 1
            let count = sqlite_nio_sqlite3_column_count(statement)
            let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            if statements.count >= Self.statementLimit {
                for (old, _) in statements.values { sqlite_nio_sqlite3_finalize(old) }
                statements = [:]
            }
            let entry = (statement, ResultColumns(names: names, keeping: .first))
            statements[sql] = entry
            return entry
        }

        private func error(_ status: Int32) -> SQLiteDirectReadError { SQLiteCalls.error(status, on: handle) }
    }
}

/// An error from SQLite's C API (the direct reader and the write connection). It answers Fluent's
/// questions the way SQLiteNIO's errors do, so a constraint failure becomes a 409 on either path.
public struct SQLiteDirectReadError: Error, CustomStringConvertible, DatabaseError {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }

    /// Extended result codes carry the primary code in their low byte.
    public var isConstraintFailure: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    public var isSyntaxError: Bool { code & 0xFF == SQLITE_ERROR && message.contains("syntax error") }
    public var isConnectionClosed: Bool { code & 0xFF == SQLITE_MISUSE }
}

/// The row a statement stands on, read by position. The column types SQLite gives these reads (text, real, null) are
/// read straight from the statement; any other goes through the value SQLiteNIO would read and its conversion, so a
/// column converts exactly as it does in a `DirectRow`.
private struct StatementRow: PositionalRow {
    let statement: OpaquePointer
    let count: Int

    func string(_ index: Int) throws -> String {
        let column = Int32(index)
        if sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_TEXT, let text = sqlite_nio_sqlite3_column_text(statement, column) {
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite_nio_sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }
        return try converted(index, String.self)
    }

    func optionalString(_ index: Int) throws -> String? { try isNull(index) ? nil : string(index) }

    func int(_ index: Int) throws -> Int {
        let column = Int32(index)
        if sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_INTEGER { return Int(sqlite_nio_sqlite3_column_int64(statement, column)) }
        return try converted(index, Int.self)
    }

    func optionalInt(_ index: Int) throws -> Int? { try isNull(index) ? nil : int(index) }

    func optionalDouble(_ index: Int) throws -> Double? {
        switch sqlite_nio_sqlite3_column_type(statement, Int32(index)) {
        case SQLITE_NULL: nil
        case SQLITE_FLOAT, SQLITE_INTEGER: sqlite_nio_sqlite3_column_double(statement, Int32(index))
        default: try converted(index, Double.self)
        }
    }

    /// Dates are stored as seconds since 1970 (SQLiteNIO's `Date.sqliteData`); stored as text, SQLiteNIO parses them.
    func optionalDate(_ index: Int) throws -> Date? {
        switch sqlite_nio_sqlite3_column_type(statement, Int32(index)) {
        case SQLITE_NULL: nil
        case SQLITE_FLOAT, SQLITE_INTEGER: Date(timeIntervalSince1970: sqlite_nio_sqlite3_column_double(statement, Int32(index)))
        default: try converted(index, Date.self)
        }
    }

    func date(_ index: Int) throws -> Date { try optionalDate(index) ?? converted(index, Date.self) }

    private func isNull(_ index: Int) -> Bool { sqlite_nio_sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL }

    private func converted<T: SQLiteDataConvertible>(_ index: Int, _ type: T.Type) throws -> T {
        let value = SQLiteCalls.column(Int32(index), of: statement)
        guard let converted = T(sqliteData: value) else {
            // The value stays out of the message: errors are logged, and a column may hold a phone number.
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "Column \(index) is not \(T.self)."))
        }
        return converted
    }
}

/// A row read directly, decoded column by column with SQLiteKit's decoder.
private struct DirectRow: SQLRow {
    let columns: ResultColumns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offset(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offset(of: column) else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.offset(of: column) else {
            throw DecodingError.keyNotFound(SQLiteDirectColumnKey(column), .init(codingPath: [], debugDescription: "No column \(column)."))
        }
        let value = values[offset]
        if let convert = Self.commonConversions[ObjectIdentifier(D.self)], let converted = convert(value) { return converted.as(D.self) }
        // Optional columns are most of a queue row; SQLiteKit's decoder takes them through `Decodable`.
        // Converted here as it converts them, without that detour.
        if let optional = D.self as? any DirectOptional.Type, let converted = optional.converting(value) { return converted as! D }
        return try Self.decoder.decode(D.self, from: value)
    }

    private static let decoder = SQLiteDataDecoder()

    /// The column types rows are made of, converted as SQLiteKit converts them, found by the type's identity.
    /// The general path below asks the runtime three times whether `D` conforms to a protocol or casts
    /// to it; comparing `D` with `String?.self`, or returning a `D?`, builds generic metadata each time,
    /// which costs as much. A conversion gives nil when the value does not convert: the general path
    /// then gives its usual error.
    private typealias Conversion = @Sendable (SQLiteData) -> CommonValue?
    private static let commonConversions = ConversionTable<Conversion>([
        (ObjectIdentifier(String.self), { String(sqliteData: $0).map(CommonValue.string) } as Conversion),
        (ObjectIdentifier(String?.self), { $0 == .null ? .optionalString(nil) : String(sqliteData: $0).map(CommonValue.optionalString) } as Conversion),
        (ObjectIdentifier(Int.self), { Int(sqliteData: $0).map(CommonValue.int) } as Conversion),
        (ObjectIdentifier(Int?.self), { $0 == .null ? .optionalInt(nil) : Int(sqliteData: $0).map(CommonValue.optionalInt) } as Conversion),
        (ObjectIdentifier(Double.self), { Double(sqliteData: $0).map(CommonValue.double) } as Conversion),
        (ObjectIdentifier(Double?.self), { $0 == .null ? .optionalDouble(nil) : Double(sqliteData: $0).map(CommonValue.optionalDouble) } as Conversion),
        (ObjectIdentifier(Date.self), { Date(sqliteData: $0).map(CommonValue.date) } as Conversion),
        (ObjectIdentifier(Date?.self), { $0 == .null ? .optionalDate(nil) : Date(sqliteData: $0).map(CommonValue.optionalDate) } as Conversion),
        (ObjectIdentifier(Bool.self), { Bool(sqliteData: $0).map(CommonValue.bool) } as Conversion),
        (ObjectIdentifier(Bool?.self), { $0 == .null ? .optionalBool(nil) : Bool(sqliteData: $0).map(CommonValue.optionalBool) } as Conversion),
    ])
}

private protocol DirectOptional {
    /// The value as SQLiteKit's decoder gives it (null is `.none`), or nil when it does not convert.
    static func converting(_ data: SQLiteData) -> Self?
}

extension Optional: DirectOptional where Wrapped: SQLiteDataConvertible {
    fileprivate static func converting(_ data: SQLiteData) -> Self? {
        if data == .null { return .some(.none) }
        guard let value = Wrapped(sqliteData: data) else { return nil }
        return .some(.some(value))
    }
}

private struct SQLiteDirectColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
