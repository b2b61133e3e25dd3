import FluentKit
import Foundation
import SQLKit
import WanggeDomain
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// On SQLite a web request's reports are written through SQLite's C API (`SQLiteWriteConnection`),
/// elsewhere through Fluent (`FluentRows`). The same report must leave the same rows either way.
final class RowSinkParityTests: XCTestCase {
    func testAReportWrittenDirectlyLeavesTheRowsFluentLeaves() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let app = t.app
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let timeZone = app.wanggeConfig.timeZone
            let sla = try await app.slaContext(on: app.db)
            let service = CaseIntakeService(db: app.db, timeZone: timeZone)
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            let input = IntakeInput(channel: "citizen", description: "小区门口井盖破损,夜间容易绊倒行人", categoryCode: "0101",
                                    location: .init(lat: 30.2, lon: 120.0), address: "文一路 12 号", reporterName: "王女士",
                                    reporterPhone: "13800138000")
            let direct = try SQLiteWriteConnection(path: app.wanggeConfig.sqlitePath, purpose: .server)

            var written: [(id: Int, rollups: [String: [Int]], gauges: [String: [Int]])] = []
            for (n, sink) in [(1, nil), (2, direct)] as [(Int, SQLiteWriteConnection?)] {
                let before = try await (rollups(sql), gauges(sql))
                let result = try await SQLiteWriteConnection.$current.withValue(sink) {
                    try await service.intake(input, by: Reporter(actor: nil), locatedGrid: "330110001001-01", photos: [], now: now, sla: sla,
                                             queryCode: "PARITY\(n)XYZ")
                }
                let id = result.id
                written.append((id, delta(before.0, try await rollups(sql)), delta(before.1, try await gauges(sql))))
            }
            let (fluent, directly) = (written[0], written[1])
            XCTAssertFalse(fluent.rollups.isEmpty, "a report counts in the rollups")
            XCTAssertEqual(directly.rollups, fluent.rollups, "the same rollup rows move by the same counts")
            XCTAssertEqual(directly.gauges, fluent.gauges, "the same open-case gauges move")

            // Every column of the case, its events and its queued search terms, except what differs by
            // design: ids, the code's sequence number, the query code and the hashes covering them.
            let skipped: Set<String> = ["id", "case_id", "code", "query_code_hash", "event_hash", "hash", "prev_hash"]
            for table in [CaseModel.schema, CaseEventModel.schema, CaseSearchTerms.queue] {
                let key = table == CaseModel.schema ? "id" : "case_id"
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
                    .map { try $0.decode(column: "name", as: String.self) }.filter { !skipped.contains($0) }
                func rows(_ id: Int) async throws -> [String] {
                    let list = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
                    return try await sql.raw("SELECT \(unsafeRaw: list) AS r FROM \(ident: table) WHERE \(ident: key) = \(bind: id) ORDER BY rowid")
                        .all().map { try $0.decode(column: "r", as: String.self) }
                }
                let (a, b) = (try await rows(fluent.id), try await rows(directly.id))
                XCTAssertFalse(a.isEmpty, table)
                XCTAssertEqual(a, b, "\(table) rows differ")
            }
            // The direct write's chain verifies like the other's.
            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [])
        }
    }

    private func rollups(_ sql: any SQLDatabase) async throws -> [String: [Int]] {
        let counters = RollupModel.counterColumns
        return try await Dictionary(uniqueKeysWithValues: sql.raw("SELECT * FROM \(ident: RollupModel.schema)").all().map { row in
            let key = try ["dimension", "unit_code", "period_kind", "period", "category_code", "channel"]
                .map { try row.decode(column: $0, as: String.self) }.joined(separator: "|")
            return (key, try counters.map { try row.decode(column: $0, as: Int.self) })
        })
    }

    private func gauges(_ sql: any SQLDatabase) async throws -> [String: [Int]] {
        try await Dictionary(uniqueKeysWithValues: sql.raw("SELECT * FROM \(ident: OpenGaugeModel.schema)").all().map { row in
            (try row.decode(column: "dimension", as: String.self) + "|" + row.decode(column: "unit_code", as: String.self),
             [try row.decode(column: "open_count", as: Int.self), try row.decode(column: "overdue_count", as: Int.self)])
        })
    }

    /// What moved between two readings, per row.
    private func delta(_ before: [String: [Int]], _ after: [String: [Int]]) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for (key, counts) in after {
            let old = before[key] ?? Array(repeating: 0, count: counts.count)
            let moved = zip(counts, old).map { $0 - $1 }
            if moved.contains(where: { $0 != 0 }) { out[key] = moved }
        }
        return out
    }
}
