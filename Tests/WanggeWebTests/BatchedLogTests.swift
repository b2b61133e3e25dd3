import FluentKit
import Foundation
import SQLKit
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// The server's writer and the generator's append their commits to SQLite's log through
/// `wangge_batched_wal_vfs` (one `pwrite` a commit's run of frames instead of two a frame). What they
/// commit must be in the file for every other connection the moment the commit returns, whatever its
/// size, and a transaction too large for the writer's cache (whose pages SQLite writes to the log
/// before the commit and reads back) must come out whole.
final class BatchedLogTests: XCTestCase {
    private static let filler = String(repeating: "网格", count: 1500)
    private struct RolledBack: Error {}

    private func withProbe(_ body: (TestContext, any SQLDatabase, SQLiteWriteConnection) async throws -> Void) async throws {
        try await withApp(demo: false) { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE probe_log (n INTEGER, filler TEXT)").run()
            try await body(t, sql, try SQLiteWriteConnection(path: t.app.wanggeConfig.sqlitePath, purpose: .server))
        }
    }

    private static func write(_ numbers: ClosedRange<Int>, through writer: SQLiteWriteConnection, on db: any Database) async throws {
        try await SQLiteWriteConnection.$current.withValue(writer) {
            try await db.writeRows { rows in
                for n in numbers {
                    _ = try await rows.insert(BulkInsert(table: "probe_log", columns: ["n", "filler"]), [.int(n), .text(Self.filler)], returning: [])
                }
            }
        }
    }

    /// What another connection (the pool's, through SQLite's own VFS) reads right after a commit.
    private func seen(_ sql: any SQLDatabase) async throws -> (rows: Int, newest: Int, bytes: Int) {
        let row = try await sql.raw("SELECT count(*) AS n, coalesce(max(n), 0) AS newest, coalesce(sum(length(filler)), 0) AS bytes FROM probe_log").first()!
        return (try row.decode(column: "n", as: Int.self), try row.decode(column: "newest", as: Int.self), try row.decode(column: "bytes", as: Int.self))
    }

    func testTheWritingConnectionsGoThroughTheBatchedLogAndTheCheckpointersDoNot() async throws {
        try await withApp(demo: false) { t in
            guard t.database == .sqlite else { return }
            let path = t.app.wanggeConfig.sqlitePath
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .server).vfsName, "wangge-batched-wal")
            XCTAssertEqual(try GenerateCommand.bulkWriter(t.app)?.vfsName, "wangge-batched-wal")
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .checkpoints).vfsName, "unix")
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .bulkLoadCheckpoints).vfsName, "unix")
        }
    }

    /// Small commits one after another, each read back at once by another connection; then one commit
    /// of 300 rows (about 2.7 MB of log, more than the VFS gathers and far more than one `pwrite` of the
    /// default VFS takes).
    func testEveryCommitIsInTheFileWhenItReturnsWhateverItsSize() async throws {
        try await withProbe { t, sql, writer in
            for n in 1...40 {
                try await Self.write(n...n, through: writer, on: t.app.db)
                let after = try await seen(sql)
                XCTAssertEqual(after.rows, n)
                XCTAssertEqual(after.newest, n, "commit \(n) not visible to another connection when it returned")
            }
            try await Self.write(41...340, through: writer, on: t.app.db)
            let after = try await seen(sql)
            XCTAssertEqual(after.rows, 340)
            XCTAssertEqual(after.newest, 340)
            XCTAssertEqual(after.bytes, 340 * Self.filler.count)
            let check = try await sql.raw("PRAGMA integrity_check").first()!.decode(column: "integrity_check", as: String.self)
            XCTAssertEqual(check, "ok")
        }
    }

    /// With a cache of 20 pages, a 300-row transaction spills its pages to the log before it commits
    /// and reads them back to update a row; a rolled-back one leaves nothing, and the next commit reads whole.
    func testATransactionLargerThanTheCacheAndARollbackComeOutRight() async throws {
        try await withProbe { t, sql, writer in
            try await Self.write(1...1, through: writer, on: t.app.db)  // opens the connection
            try writer.execute("PRAGMA cache_size=20")
            // The update finds row 5 by reading the whole table back, pages spilled to the log among them.
            let changed = try await SQLiteWriteConnection.$current.withValue(writer) {
                try await t.app.db.writeRows { rows in
                    for n in 2...300 {
                        _ = try await rows.insert(BulkInsert(table: "probe_log", columns: ["n", "filler"]), [.int(n), .text(Self.filler)], returning: [])
                    }
                    return try await rows.update("probe_log", set: [(name: "filler", value: .text("改过"))], where: [(name: "n", value: .int(5))])
                }
            }
            XCTAssertEqual(changed, 1)
            var after = try await seen(sql)
            XCTAssertEqual(after.rows, 300)
            XCTAssertEqual(after.bytes, 299 * Self.filler.count + 2)

            do {
                try await SQLiteWriteConnection.$current.withValue(writer) {
                    try await t.app.db.writeRows { rows in
                        for n in 301...600 {
                            _ = try await rows.insert(BulkInsert(table: "probe_log", columns: ["n", "filler"]), [.int(n), .text(Self.filler)], returning: [])
                        }
                        throw RolledBack()
                    }
                }
                XCTFail("the transaction was not rolled back")
            } catch is RolledBack {}
            after = try await seen(sql)
            XCTAssertEqual(after.rows, 300, "a rolled-back transaction left rows")

            try await Self.write(301...302, through: writer, on: t.app.db)
            after = try await seen(sql)
            XCTAssertEqual(after.rows, 302)
            XCTAssertEqual(after.newest, 302)
            XCTAssertEqual(after.bytes, 301 * Self.filler.count + 2)
            let check = try await sql.raw("PRAGMA integrity_check").first()!.decode(column: "integrity_check", as: String.self)
            XCTAssertEqual(check, "ok")
        }
    }
}
