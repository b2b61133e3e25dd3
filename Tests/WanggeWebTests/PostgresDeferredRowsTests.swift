import FluentKit
import SQLKit
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// On PostgreSQL a write transaction's inserts that return nothing wait and go together in one statement
/// (`PostgresDeferredRows`). What the transaction asks for must happen as if each had gone at once: in order,
/// an upsert adding to a row inserted before it, a foreign key to a row held beside it, and a held insert that
/// fails takes the whole transaction with it.
final class PostgresDeferredRowsTests: XCTestCase {
    func testHeldInsertsTakeEffectInOrderAndFailWithTheirTransaction() async throws {
        try await withPostgresApp(demo: false) { t, sql in
            try await sql.raw("CREATE TABLE probe_parent (id BIGINT PRIMARY KEY, note TEXT)").run()
            try await sql.raw("CREATE TABLE probe_child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES probe_parent (id))").run()
            try await sql.raw("CREATE TABLE probe_counter (key TEXT PRIMARY KEY, total BIGINT NOT NULL)").run()
            let parents = BulkInsert(table: "probe_parent", columns: ["id", "note"])
            let children = BulkInsert(table: "probe_child", columns: ["id", "parent_id"])
            let counter = BulkInsert.adding(to: "probe_counter", columns: ["key", "total"], key: ["key"], counters: ["total"])
            func ints(_ query: SQLQueryString) async throws -> [Int] {
                try await sql.raw(query).all().map { try $0.decode(column: "n", as: Int.self) }
            }

            let (updated, deleted) = try await t.app.db.writeRows { rows -> (Int, Int) in
                try await rows.insert(parents, [.int(1), .text("first"), .int(2), .text("second")])
                try await rows.insert(children, [.int(10), .int(1), .int(11), .int(2)])
                try await rows.insert(counter, [.text("day"), .int(3)])
                // The same table again: the earlier row must be there for this upsert to add to.
                try await rows.insert(counter, [.text("day"), .int(4)])
                try await rows.insert(parents, [.int(3), .text("third")])
                // An update and a delete see every row asked for before them.
                let updated = try await rows.update("probe_parent", set: [("note", .text("changed"))], where: [("id", .int(3))])
                let deleted = try await rows.delete(from: "probe_child", where: "id", in: [.int(11)])
                try await rows.insert(children, [.int(12), .int(3)])
                return (updated, deleted)
            }
            XCTAssertEqual(updated, 1)
            XCTAssertEqual(deleted, 1)
            let parentIDs = try await ints("SELECT id AS n FROM probe_parent ORDER BY id")
            XCTAssertEqual(parentIDs, [1, 2, 3])
            let childIDs = try await ints("SELECT id AS n FROM probe_child ORDER BY id")
            XCTAssertEqual(childIDs, [10, 12])
            let total = try await ints("SELECT total AS n FROM probe_counter WHERE key = 'day'")
            XCTAssertEqual(total, [7], "the second upsert added to the first")
            let note = try await sql.raw("SELECT note FROM probe_parent WHERE id = 3").first()?.decode(column: "note", as: String.self)
            XCTAssertEqual(note, "changed")

            // A held insert that breaks a constraint fails the transaction when it is sent: nothing of it stays.
            do {
                try await t.app.db.writeRows { rows in
                    try await rows.insert(parents, [.int(4), .text("fourth")])
                    try await rows.insert(counter, [.text("day"), .int(100)])
                    try await rows.insert(children, [.int(13), .int(99)])
                }
                XCTFail("a child of no parent was written")
            } catch {}
            let parentsAfter = try await ints("SELECT id AS n FROM probe_parent ORDER BY id")
            XCTAssertEqual(parentsAfter, [1, 2, 3])
            let totalAfter = try await ints("SELECT total AS n FROM probe_counter WHERE key = 'day'")
            XCTAssertEqual(totalAfter, [7])
        }
    }
}
