import FluentKit
import Foundation
import SQLKit
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// `wangge generate` and the server's writer write on SQLite through `SQLiteWriteConnection`; what it stores
/// must read back exactly as what `BulkInsert` stores through Fluent, and a failed transaction must leave nothing.
final class SQLiteWriteConnectionTests: XCTestCase {
    func testValuesMatchFluentsAndAFailedTransactionLeavesNothing() async throws {
        try await withApp(demo: false) { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for table in ["probe_bulk", "probe_fluent"] {
                try await sql.raw(SQLQueryString("CREATE TABLE \(table) (i INTEGER, d REAL, t TEXT NOT NULL, b INTEGER, at REAL, n TEXT)")).run()
            }
            let when = Date(timeIntervalSince1970: 1_795_000_123.25)
            let rows: [BulkValue] = [
                .int(42), .double(30.25), .text("井盖缺失,影响通行"), .bool(true), .date(when), .null,
                // Text longer than the writer's buffer for a row's text (4 KB), then short text bound after it.
                .int(3), .double(3.5), .text(String(repeating: "网格员巡查", count: 1000)), .bool(true), .date(when), .text("长文之后"),
                .int(-7), .double(0), .text(""), .bool(false), .date(Date(timeIntervalSince1970: 0)), .text("非空"),
            ]
            let writer = try GenerateCommand.bulkWriter(t.app)!
            try await writer.perform { writer in
                try await writer.transaction { try await $0.insert(BulkInsert(table: "probe_bulk", columns: ["i", "d", "t", "b", "at", "n"]), rows) }
            }
            try await t.app.db.transaction { tx in
                try await BulkInsert(table: "probe_fluent", columns: ["i", "d", "t", "b", "at", "n"]).run(rows, on: tx)
            }
            func read(_ table: String) async throws -> [String] {
                try await sql.raw(SQLQueryString("SELECT quote(i) AS i, quote(d) AS d, quote(t) AS t, quote(b) AS b, quote(at) AS at, quote(n) AS n FROM \(table) ORDER BY rowid"))
                    .all().map { row in try ["i", "d", "t", "b", "at", "n"].map { try row.decode(column: $0, as: String.self) }.joined(separator: "|") }
            }
            let bulk = try await read("probe_bulk")
            let fluent = try await read("probe_fluent")
            XCTAssertEqual(bulk, fluent)
            // The empty string stays a string, not NULL.
            XCTAssertEqual(bulk.last, "-7|0.0|''|0|0.0|'非空'")

            // A NULL in a NOT NULL column fails the statement; the rows before it in the transaction go too.
            let bad: [BulkValue] = [.int(1), .double(1), .text("先写入"), .bool(true), .date(when), .null,
                                    .int(2), .double(2), .null, .bool(true), .date(when), .null]
            do {
                try await writer.perform { writer in
                    try await writer.transaction { try await $0.insert(BulkInsert(table: "probe_bulk", columns: ["i", "d", "t", "b", "at", "n"]), bad) }
                }
                XCTFail("a NULL in a NOT NULL column was accepted")
            } catch let error as SQLiteDirectReadError {
                XCTAssertTrue(error.message.contains("NOT NULL"), error.description)
            }
            let after = try await read("probe_bulk")
            XCTAssertEqual(after.count, 3)
        }
    }
}
