import FluentKit
import Foundation
import SQLKit
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// Every SQLite connection of the process uses the bounded page cache (`page_cache.c`): a commit whose
/// b-tree splits swapped page numbers through the spare one must not walk the whole cache, and a
/// rollback that gave pages back must still drop them, so that what is read afterwards is what was
/// committed.
final class BoundedPageCacheTests: XCTestCase {
    private struct RolledBack: Error {}

    /// `rows` rows with random keys in an indexed column, so that the index's pages split in every
    /// order; each `value` about `valueBytes` long. A list of values, not a recursive query: that one
    /// keeps its rows in a temporary table, whose own cache is truncated at every statement's end.
    private static func insertRandom(_ rows: Int, valueBytes: Int) -> String {
        let row = "(hex(randomblob(16)), hex(randomblob(\(valueBytes / 2))))"
        return "INSERT INTO swap_probe (k, v) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    func testCommitsThatSwapPagesSkipTheWalkAndARollbackStillDropsThePagesItGaveBack() async throws {
        XCTAssertTrue(SQLitePageCache.isBounded)
        try await withApp(demo: false) { t in
            guard t.database == .sqlite, let sql = t.app.db as? any SQLDatabase else { return }
            try await sql.raw("CREATE TABLE swap_probe (k TEXT NOT NULL, v TEXT NOT NULL)").run()
            try await sql.raw("CREATE INDEX swap_probe_k ON swap_probe (k)").run()
            let writer = try SQLiteWriteConnection(path: t.app.wanggeConfig.sqlitePath, purpose: .server)

            let before = SQLitePageCache.counts
            let commits = 30
            for _ in 0..<commits {
                try await writer.transaction { try $0.execute(Self.insertRandom(300, valueBytes: 40)) }
            }
            let afterCommits = SQLitePageCache.counts
            XCTAssertGreaterThan(afterCommits.parked - before.parked, 0, "no split swapped pages; the test shows nothing")
            XCTAssertGreaterThanOrEqual(afterCommits.truncatesSkipped - before.truncatesSkipped, commits)
            // Another connection of the app may pass one on meanwhile; the writer's commits must not.
            XCTAssertLessThan(afterCommits.truncatesPassed - before.truncatesPassed, commits / 2,
                              "commits after a swap walked the whole cache")

            // About 4 MB of new pages past the file's end, given back by the rollback. SQLite's own undo drops the
            // rolled-back pages; the truncate after it, with pages past the limit a moment before, is passed on.
            let pagesBefore = try writer.strings("PRAGMA page_count")[0][0]
            do {
                try await writer.transaction { writer -> Void in
                    try writer.execute(Self.insertRandom(2000, valueBytes: 2000))
                    throw RolledBack()
                }
                XCTFail("the transaction was meant to roll back")
            } catch is RolledBack {}
            XCTAssertGreaterThan(SQLitePageCache.counts.truncatesPassed, afterCommits.truncatesPassed,
                                 "the truncate after a rollback that gave pages back was not passed on")
            XCTAssertEqual(try writer.strings("PRAGMA page_count")[0][0], pagesBefore)

            try await writer.transaction { try $0.execute(Self.insertRandom(500, valueBytes: 300)) }
            let expected = commits * 300 + 500
            XCTAssertEqual(try writer.strings("SELECT count(*), count(DISTINCT k) FROM swap_probe")[0], ["\(expected)", "\(expected)"])
            let seen = try await sql.raw("SELECT count(*) AS n FROM swap_probe WHERE length(v) > 1000").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(seen, 0, "a row of the rolled-back transaction is readable")
            let total = try await sql.raw("SELECT count(*) AS n FROM swap_probe").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(total, expected)
            XCTAssertEqual(try writer.strings("PRAGMA integrity_check")[0][0], "ok")
            let check = try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
            XCTAssertEqual(check, "ok")
        }
    }
}
