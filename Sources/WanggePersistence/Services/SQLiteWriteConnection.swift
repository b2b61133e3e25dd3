import CShims
import FluentKit
import Foundation
import VaporCSQLite

/// One read-write connection on SQLite's C API. Each statement is compiled once and stepped per
/// row, which SQLite documents as its fastest way in. Through SQLiteNIO every multi-row statement
/// was parsed anew, every value went through an array of `SQLiteData`, and every statement hopped
/// to a thread pool and back.
///
/// Two uses, with their own settings (`Purpose`): bulk loads (`wangge generate`), and the server's
/// group of reports (`RowSink`, bound per request as `current`). Both run on the writer thread
/// (`perform`); the server's writes also take the process's write gate (`Database.writeRows`), so
/// the connection is used by one task at a time.
public final class SQLiteWriteConnection: RowSink, @unchecked Sendable {
    public enum Purpose: Sendable {
        /// A fresh database that is thrown away if the load fails: `synchronous=OFF`, a large cache,
        /// the log copied into the file every 256 MB instead of every 4 MB (pages that many inserts
        /// touch are copied once per checkpoint, not once per batch) by `BulkLoadCheckpoints` on a
        /// thread of its own, and a second thread for sorting during CREATE INDEX.
        case bulkLoad
        /// The server's writes, durable as the pool's writer is (see `writeTransaction`), with foreign
        /// keys checked as on Fluent's connections. Statement journals stay in memory: past 64 KB
        /// SQLite spilled them to a file, a sixth of a group's time in `pwrite`. Checkpoints are
        /// `WALCheckpoints`' work; the writer's own automatic one is only a fallback for a log four times
        /// the length at which those start it over (at SQLite's 1,000 pages it was half of every
        /// commit's time, and a larger one made the commit that ran it the slowest one percent).
        case server
        /// `WALCheckpoints`' connection, which only copies the log into the file.
        case checkpoints
        /// `BulkLoadCheckpoints`' connection: copies a load's log into the file, syncing neither.
        case bulkLoadCheckpoints
    }

    /// Bound for each web request on SQLite; without it writes take Fluent's writer connection.
    @TaskLocal public static var current: SQLiteWriteConnection?

    private let path: String
    private let purpose: Purpose
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// The one-row statement of each insert, found without writing out its SQL: building and
    /// hashing the text of a fifty-column insert for every call was 4% of the intake writer's time.
    private var insertStatements: [InsertKey: OpaquePointer] = [:]

    /// A bulk load's checkpoints, and the log's length after its last commit as SQLite reports it.
    private var loadCheckpoints: BulkLoadCheckpoints?
    private var logPages = 0

    private struct InsertKey: Hashable {
        let insert: BulkInsert
        let returning: [String]
    }

    /// What every connection the server writes through sets, this one and Fluent's writer
    /// (`SQLiteWriteGate.prepareOnce`): durable commits, a sleeping busy wait, a 16 MB page cache for
    /// the cases' indexes, and the automatic checkpoint only as `WALCheckpoints`' fallback.
    /// The fallback must stay above `WALCheckpoints`' restart length: at the same length the writer copied
    /// the log itself in the commit that reached it.
    static let serverWriterPragmas = ["busy_timeout=10000", "synchronous=NORMAL", "cache_size=-16000",
                                      "wal_autocheckpoint=\(4 * WALCheckpoints.defaultRestartAtPages)"]

    /// Opens the file at once for a bulk load, whose log is copied into the file each time it is
    /// `loadCheckpointPages` long; a server's connection opens on its first write, after the
    /// migrations have made the file.
    public init(path: String, purpose: Purpose = .bulkLoad, loadCheckpointPages: Int = 65536) throws {
        self.path = path
        self.purpose = purpose
        if purpose == .bulkLoad {
            try open()
            loadCheckpoints = try BulkLoadCheckpoints(path: path, startAtPages: loadCheckpointPages)
            countLogPages()
        }
    }

    /// The bound row's text, which SQLite reads in place (`SQLITE_STATIC`) when the statement steps: a text
    /// bound as a copy was a heap allocation and a copy on the writer for every value. Written again only when
    /// the next row is bound, and every statement binds all of its values before it steps.
    private var boundText = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 1)
    private var boundTextCapacity = 4096

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close(handle)
        boundText.deallocate()
    }

    private func open() throws {
        sqlite_nio_sqlite3_initialize()
        // The writing connections append the log's frames a commit at a time (`wangge_batched_wal_vfs`);
        // the checkpointers write no frames.
        let vfs = switch purpose {
        case .bulkLoad, .server: wangge_batched_wal_vfs()
        case .checkpoints, .bulkLoadCheckpoints: nil as UnsafePointer<CChar>?
        }
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, vfs)
        guard status == SQLITE_OK else {
            sqlite_nio_sqlite3_close(handle)
            handle = nil
            throw SQLiteDirectReadError(code: status, message: "Failed to open \(path) for writing")
        }
        let pragmas = switch purpose {
        case .bulkLoad: ["busy_timeout=10000", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY", "threads=2"]
        case .server: Self.serverWriterPragmas + ["foreign_keys=ON", "temp_store=MEMORY"]
        case .checkpoints: ["busy_timeout=10000", "synchronous=NORMAL", "wal_autocheckpoint=0"]
        case .bulkLoadCheckpoints: ["busy_timeout=10000", "synchronous=OFF", "wal_autocheckpoint=0"]
        }
        for pragma in pragmas { try execute("PRAGMA " + pragma) }
    }

    /// In place of SQLite's automatic checkpoint (which a log hook replaces), notes the log's
    /// length after each commit for `BulkLoadCheckpoints`. A later `PRAGMA wal_autocheckpoint`
    /// puts SQLite's own back.
    private func countLogPages() {
        sqlite_nio_sqlite3_wal_hook(handle, { context, _, _, pages in
            Unmanaged<SQLiteWriteConnection>.fromOpaque(context!).takeUnretainedValue().logPages = Int(pages)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Waits for a bulk load's checkpoint still copying, before steps that checkpoint on their own.
    public func settleCheckpoints() async throws {
        try await loadCheckpoints?.settle()
    }

    /// Runs work on the writer thread, which does nothing else: its calls here block, and a long load
    /// leaves the task pool to the tasks that compute the next rows.
    public func perform<T: Sendable>(_ work: (SQLiteWriteConnection) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(WriterThread.shared) { try await work(self) }
    }

    /// A passive checkpoint: copies what the log holds into the file, as far as no reader still
    /// needs the log, without waiting for anyone. Returns the log's length and how much of it is
    /// now in the file, in pages; nil when another connection was checkpointing.
    public func checkpoint() throws -> (logPages: Int, copiedPages: Int)? {
        if handle == nil { try open() }
        var (log, copied): (Int32, Int32) = (0, 0)
        let status = sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        if status == SQLITE_BUSY { return nil }
        guard status == SQLITE_OK else { throw error(status) }
        return (Int(log), Int(copied))
    }

    /// The VFS the connection's files go through, as SQLite names it (`SQLITE_FCNTL_VFSNAME`).
    public var vfsName: String? {
        if handle == nil { try? open() }
        var name: UnsafeMutablePointer<CChar>?
        guard sqlite_nio_sqlite3_file_control(handle, "main", SQLITE_FCNTL_VFSNAME, &name) == SQLITE_OK, let name else { return nil }
        defer { sqlite_nio_sqlite3_free(name) }
        return String(cString: name)
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

    /// Runs `body` in one write transaction, rolled back if it throws. Its `RowSink` calls here never
    /// suspend, so the whole transaction runs on the thread that began it.
    public func transaction<T>(_ body: (SQLiteWriteConnection) async throws -> T) async throws -> T {
        if handle == nil { try open() }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try await body(self)
            try execute("COMMIT")
            try loadCheckpoints?.afterCommit(logPages: logPages, of: self)
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public func insert(_ insert: BulkInsert, _ values: [BulkValue], returning: [String]) async throws -> [[String: BulkValue]] {
        try rows(of: insert, values, returning: returning)
    }

    public func update(_ table: String, set columns: [(name: String, value: BulkValue)],
                       where match: [(name: String, value: BulkValue)]) async throws -> Int {
        let sets = columns.enumerated().map { "\"\($1.name)\" = ?\($0 + 1)" }.joined(separator: ", ")
        let conditions = match.enumerated().map { "\"\($1.name)\" = ?\(columns.count + $0 + 1)" }.joined(separator: " AND ")
        try run(try prepared("UPDATE \"\(table)\" SET \(sets) WHERE \(conditions)"), columns.map(\.value) + match.map(\.value))
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    public func nextIDs(_ table: String, count: Int) async throws -> [Int] {
        guard count > 0 else { return [] }
        let statement = try prepared(Self.sqliteLastID(of: table))
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard sqlite_nio_sqlite3_step(statement) == SQLITE_ROW, case .int(let last) = BulkValue(SQLiteCalls.column(0, of: statement)) else {
            throw PlainWriteError.unsupported("\(table).id")
        }
        return Array(last + 1...last + count)
    }

    public func delete(from table: String, where column: String, in values: [BulkValue]) async throws -> Int {
        let statement = try prepared("DELETE FROM \"\(table)\" WHERE \"\(column)\" = ?1")
        var deleted = 0
        for value in values {
            try run(statement, [value])
            deleted += Int(sqlite_nio_sqlite3_changes(handle))
        }
        return deleted
    }

    public func totalChanges() async throws -> Int {
        Int(sqlite_nio_sqlite3_total_changes64(handle))
    }

    /// One row per step of a one-row statement; a row's `returning` columns come back as its result.
    private func rows(of insert: BulkInsert, _ values: [BulkValue], returning: [String]) throws -> [[String: BulkValue]] {
        precondition(values.count % insert.columns.count == 0, "\(insert.table): values are not whole rows")
        let key = InsertKey(insert: insert, returning: returning)
        let statement: OpaquePointer
        if let known = insertStatements[key] {
            statement = known
        } else {
            statement = try prepared(insert.statement(rows: 1, returning: returning))
            insertStatements[key] = statement
        }
        let width = insert.columns.count
        var out: [[String: BulkValue]] = []
        var start = 0
        while start < values.count {
            try bind(values[start..<(start + width)], to: statement)
            var status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_ROW {
                var row: [String: BulkValue] = [:]
                for (column, name) in returning.enumerated() { row[name] = BulkValue(SQLiteCalls.column(Int32(column), of: statement)) }
                out.append(row)
                status = sqlite_nio_sqlite3_step(statement)
            }
            sqlite_nio_sqlite3_reset(statement)
            guard status == SQLITE_DONE else { throw error(status) }
            start += width
        }
        return out
    }

    /// Binds `values` to a statement that returns no rows, steps it once and resets it; the count of
    /// rows it changed stays readable (`sqlite3_changes`) until the next statement.
    private func run(_ statement: OpaquePointer, _ values: [BulkValue]) throws {
        try bind(values, to: statement)
        let status = sqlite_nio_sqlite3_step(statement)
        sqlite_nio_sqlite3_reset(statement)
        guard status == SQLITE_DONE else { throw error(status) }
    }

    /// Values are stored as Fluent's SQLite encoder stores them (`BulkValue.sqlite`).
    private func bind<C: Collection<BulkValue>>(_ values: C, to statement: OpaquePointer) throws {
        var textBytes = 0
        for value in values {
            if case .text(let text) = value { textBytes += text.utf8.count }
        }
        if textBytes > boundTextCapacity {
            boundText.deallocate()
            boundTextCapacity = max(textBytes, boundTextCapacity * 2)
            boundText = UnsafeMutableRawPointer.allocate(byteCount: boundTextCapacity, alignment: 1)
        }
        var offset = 0
        for (index, value) in values.enumerated() {
            let status: Int32
            if case .text(var text) = value {
                let start = boundText + offset
                let count = text.withUTF8 { bytes in
                    if let base = bytes.baseAddress { start.copyMemory(from: base, byteCount: bytes.count) }
                    return bytes.count
                }
                offset += count
                status = sqlite_nio_sqlite3_bind_text64(statement, Int32(index + 1), start.assumingMemoryBound(to: CChar.self),
                                                        UInt64(count), nil, UInt8(SQLITE_UTF8))
            } else {
                status = SQLiteCalls.bind(value.sqlite, at: Int32(index + 1), statement)
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        if handle == nil { try open() }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statements[sql] = statement
        return statement
    }

    private func error(_ status: Int32) -> SQLiteDirectReadError { SQLiteCalls.error(status, on: handle) }
}
