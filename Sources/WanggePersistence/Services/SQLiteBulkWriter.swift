import Foundation
import VaporCSQLite

/// One read-write connection on SQLite's C API for bulk loads (`wangge generate`): each table's
/// single-row INSERT is compiled once and stepped per row, which SQLite documents as its fastest
/// way in. Through SQLiteNIO every multi-row statement of thousands of placeholders was parsed
/// anew and every value went through an array of `SQLiteData` first.
///
/// The connection is meant for a fresh database that is thrown away if the load fails, so it runs
/// with `synchronous=OFF` and a large cache; the server's connections keep their own settings.
/// It is used by one task at a time; `perform` moves the blocking work off the task pool.
public final class SQLiteBulkWriter: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var inserts: [String: OpaquePointer] = [:]
    private let queue = DispatchQueue(label: "wangge.sqlite-bulk-writer")

    public init(path: String) throws {
        sqlite_nio_sqlite3_initialize()
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard status == SQLITE_OK else { throw SQLiteDirectReadError(code: status, message: "Failed to open \(path) for writing") }
        // The log is folded into the file every 256 MB instead of every 4 MB: pages that many
        // inserts touch (index and interior pages) are copied once per checkpoint, not once per batch.
        // Sorting for CREATE INDEX may use a second thread.
        for pragma in ["PRAGMA busy_timeout=10000", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-1048576", "PRAGMA temp_store=MEMORY",
                       "PRAGMA wal_autocheckpoint=65536", "PRAGMA threads=2"] {
            try execute(pragma)
        }
    }

    deinit {
        for statement in inserts.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close(handle)
    }

    /// Runs blocking work on the writer's own thread, so a long load leaves the task pool to the
    /// tasks that compute the next rows.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (SQLiteBulkWriter) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work(self) }) }
        }
    }

    /// Statements without results (pragmas, DDL, ANALYZE).
    public func execute(_ sql: String) throws {
        let status = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status) }
    }

    /// The text column of every row a query returns (for reading definitions from `sqlite_master`).
    public func strings(_ sql: String) throws -> [[String]] {
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        let columns = sqlite_nio_sqlite3_column_count(statement)
        var rows: [[String]] = []
        while true {
            let step = sqlite_nio_sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else { throw error(step) }
            rows.append((0..<columns).map { column in sqlite_nio_sqlite3_column_text(statement, column).map { String(cString: $0) } ?? "" })
        }
    }

    /// Runs `body` in one write transaction, rolled back if it throws.
    public func transaction(_ body: () throws -> Void) throws {
        try execute("BEGIN IMMEDIATE")
        do {
            try body()
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Inserts rows given as one flat array (`insert.columns.count` values per row).
    public func insert(_ insert: BulkInsert, _ values: [BulkValue]) throws {
        precondition(values.count % insert.columns.count == 0, "\(insert.table): values are not whole rows")
        let statement = try prepared(insert)
        let width = insert.columns.count
        var start = 0
        while start < values.count {
            // Values are stored as Fluent's SQLite encoder stores them (`BulkValue.sqlite`).
            for column in 0..<width {
                let status = SQLiteCalls.bind(values[start + column].sqlite, at: Int32(column + 1), statement)
                guard status == SQLITE_OK else { throw error(status) }
            }
            let status = sqlite_nio_sqlite3_step(statement)
            sqlite_nio_sqlite3_reset(statement)
            guard status == SQLITE_DONE else { throw error(status) }
            start += width
        }
    }

    private func prepared(_ insert: BulkInsert) throws -> OpaquePointer {
        if let statement = inserts[insert.table] { return statement }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, insert.statement(rows: 1), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        inserts[insert.table] = statement
        return statement
    }

    private func error(_ status: Int32) -> SQLiteDirectReadError { SQLiteCalls.error(status, on: handle) }
}
