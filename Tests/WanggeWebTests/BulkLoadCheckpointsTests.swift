import FluentKit
import Foundation
import SQLKit
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// `wangge generate` writes through a bulk-load connection whose log is copied into the file from a
/// second connection (`BulkLoadCheckpoints`). The log must still start over, so it stays short
/// however much the load writes, and nothing written may be lost on the way.
final class BulkLoadCheckpointsTests: XCTestCase {
    func testALoadsLogStartsOverAndKeepsEveryRow() async throws {
        try await withApp(demo: false) { t in
            guard t.database == .sqlite else { return }
            let path = t.app.wanggeConfig.sqlitePath
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE probe_load (n INTEGER, filler TEXT)").run()
            let loader = try SQLiteWriteConnection(path: path, purpose: .bulkLoad, loadCheckpointPages: 64)
            let insert = BulkInsert(table: "probe_load", columns: ["n", "filler"])
            let filler = String(repeating: "网格", count: 1500) // 9 KB of text: three pages a row
            let (batches, rowsPerBatch) = (300, 4)
            for batch in 0..<batches {
                try await loader.perform { loader in
                    try await loader.transaction { loader in
                        for n in 0..<rowsPerBatch { try await loader.insert(insert, [.int(batch * rowsPerBatch + n), .text(filler)]) }
                    }
                }
            }
            try await loader.settleCheckpoints()

            // 1,200 rows wrote more than 3,600 pages; never copied, the log would hold them all.
            let log = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
            XCTAssertLessThan(log, 800 * 4096, "the log did not start over: \(log / 4096) pages long")
            let rows = try await sql.raw("SELECT count(*) AS n, count(DISTINCT n) AS d FROM probe_load WHERE filler = \(bind: filler)").first()
            XCTAssertEqual(try rows?.decode(column: "n", as: Int.self), batches * rowsPerBatch)
            XCTAssertEqual(try rows?.decode(column: "d", as: Int.self), batches * rowsPerBatch)
        }
    }
}
