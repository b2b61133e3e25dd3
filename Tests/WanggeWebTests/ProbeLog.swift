import FluentKit
import Foundation
import SQLKit
import WanggePersistence

@testable import WanggeWeb

/// A table filled through the server's kind of SQLite write connection, each row large enough to add a few
/// pages to the write-ahead log, and read back through the pool's connections: what `WALCheckpointsTests`
/// and `BatchedLogTests` write and check.
struct ProbeLog: Sendable {
    static let filler = String(repeating: "网格", count: 1500)

    let db: any Database
    let sql: any SQLDatabase
    let writer: SQLiteWriteConnection

    /// On SQLite only (nil on PostgreSQL): the table, and a writer of the server's kind on the test's file.
    init?(_ t: TestContext) async throws {
        guard t.database == .sqlite, let sql = t.app.db as? any SQLDatabase else { return nil }
        try await sql.raw("CREATE TABLE probe_log (n INTEGER, filler TEXT)").run()
        (db, self.sql) = (t.app.db, sql)
        writer = try SQLiteWriteConnection(path: t.app.wanggeConfig.sqlitePath, purpose: .server)
    }

    /// Rows `numbers`, in one transaction of the writer's; `after` runs last in it.
    @discardableResult
    func write<T: Sendable>(_ numbers: ClosedRange<Int>, after: @escaping @Sendable (any RowSink) async throws -> T = { _ in () })
        async throws -> T {
        try await SQLiteWriteConnection.$current.withValue(writer) {
            try await db.writeRows { rows in
                for n in numbers {
                    _ = try await rows.insert(BulkInsert(table: "probe_log", columns: ["n", "filler"]), [.int(n), .text(Self.filler)], returning: [])
                }
                return try await after(rows)
            }
        }
    }

    /// What another connection (the pool's, through SQLite's own VFS) reads now.
    func seen() async throws -> (rows: Int, newest: Int, bytes: Int) {
        let row = try await sql.raw("SELECT count(*) AS n, coalesce(max(n), 0) AS newest, coalesce(sum(length(filler)), 0) AS bytes FROM probe_log").first()!
        return (try row.decode(column: "n", as: Int.self), try row.decode(column: "newest", as: Int.self), try row.decode(column: "bytes", as: Int.self))
    }

    func integrityCheck() async throws -> String? {
        try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
    }
}
