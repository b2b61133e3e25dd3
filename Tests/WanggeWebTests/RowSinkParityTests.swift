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
                // A report's rollup entries reach the rollups when the journal is folded (`RollupJournal`).
                try await RollupJournalFolder(db: app.db).drain()
                written.append((id, delta(before.0, try await rollups(sql)), delta(before.1, try await gauges(sql))))
            }
            let (fluent, directly) = (written[0], written[1])
            XCTAssertFalse(fluent.rollups.isEmpty, "a report counts in the rollups")
            XCTAssertEqual(directly.rollups, fluent.rollups, "the same rollup rows move by the same counts")
            XCTAssertFalse(fluent.gauges.isEmpty, "a report moves the open-case gauges")
            XCTAssertEqual(directly.gauges, fluent.gauges, "the same open-case gauges move")

            // Every column of the case, its events and its queued search terms, except what differs by
            // design: ids, the code's sequence number, the query code and the hashes covering them.
            let skipped: Set<String> = ["id", "case_id", "code", "query_code_hash", "event_hash", "hash", "prev_hash"]
            for table in [CaseModel.schema, CaseEventModel.schema, CaseSearchTerms.queue] {
                let key = table == CaseModel.schema ? "id" : "case_id"
                let (a, b) = (try await Self.rows(table, key, fluent.id, skipping: skipped, sql), try await Self.rows(table, key, directly.id, skipping: skipped, sql))
                XCTAssertFalse(a.isEmpty, table)
                XCTAssertEqual(a, b, "\(table) rows differ")
            }
            // The direct write's chain verifies like the other's.
            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [])
        }
    }

    /// Transitions are written through the same two sinks (`TransitionWriter`): the same steps on two
    /// like cases, one through each, leave the same rows, counts and chain.
    func testATransitionWrittenDirectlyLeavesTheRowsFluentLeaves() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let app = t.app
            let sql = try XCTUnwrap(app.db as? any SQLDatabase)
            let sla = try await app.slaContext(on: app.db)
            let intake = CaseIntakeService(db: app.db, timeZone: app.wanggeConfig.timeZone)
            let transitions = CaseTransitionService(db: app.db)
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            let input = IntakeInput(channel: "citizen", description: "路灯不亮,晚上行人看不清路", categoryCode: "0101")
            func actor(_ username: String) async throws -> Actor {
                let user = try await UserModel.query(on: app.db).filter(\.$username == username).first()
                return try await SessionAuthenticator.actor(for: try XCTUnwrap(user), on: app.db)
            }
            let (dispatcher, handler) = (try await actor("dispatcher-dh"), try await actor("handler-cg"))
            let steps: [(TransitionInput, Actor, TimeInterval)] = [
                (TransitionInput(action: "register", categoryCode: "0102"), dispatcher, 600),
                (TransitionInput(action: "dispatch", departmentCode: "330110-CG", coDepartmentCodes: ["330110-ZJ"]), dispatcher, 1_200),
                (TransitionInput(action: "accept"), handler, 3_000),
                (TransitionInput(action: "note", note: "已到现场查看"), handler, 3_600),
                (TransitionInput(action: "submit_result", result: "已更换灯泡"), handler, 86_400),
            ]
            let direct = try SQLiteWriteConnection(path: app.wanggeConfig.sqlitePath, purpose: .server)

            var written: [(id: Int, rollups: [String: [Int]], gauges: [String: [Int]])] = []
            for (n, sink) in [(1, nil), (2, direct)] as [(Int, SQLiteWriteConnection?)] {
                let reported = try await intake.intake(input, by: Reporter(actor: nil), locatedGrid: "330110001001-01", photos: [], now: now,
                                                       sla: sla, queryCode: "STEPS\(n)WXYZ")
                let before = try await (rollups(sql), gauges(sql))
                for (step, actor, after) in steps {
                    _ = try await SQLiteWriteConnection.$current.withValue(sink) {
                        try await transitions.perform(code: reported.code, step, actor: actor, now: now.addingTimeInterval(after), sla: sla)
                    }
                }
                written.append((reported.id, delta(before.0, try await rollups(sql)), delta(before.1, try await gauges(sql))))
            }
            let (fluent, directly) = (written[0], written[1])
            XCTAssertFalse(fluent.rollups.isEmpty, "the steps count in the rollups")
            XCTAssertEqual(directly.rollups, fluent.rollups, "the same rollup rows move by the same counts")
            XCTAssertEqual(directly.gauges, fluent.gauges, "the case moves through the same open-case gauges")
            let skipped: Set<String> = ["id", "case_id", "code", "query_code_hash", "event_hash", "hash"]
            for table in [CaseModel.schema, CaseEventModel.schema, CaseDepartmentModel.schema] {
                let key = table == CaseModel.schema ? "id" : "case_id"
                let (a, b) = (try await Self.rows(table, key, fluent.id, skipping: skipped, sql), try await Self.rows(table, key, directly.id, skipping: skipped, sql))
                XCTAssertFalse(a.isEmpty, table)
                XCTAssertEqual(a, b, "\(table) rows differ")
            }
            let events = try await Self.rows(CaseEventModel.schema, "case_id", directly.id, skipping: skipped, sql)
            XCTAssertEqual(events.count, steps.count + 1, "one event a step")
            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [])
        }
    }

    /// Every row of `table` whose `key` is `id`, all columns but `skipped` quoted and joined, in insertion order.
    private static func rows(_ table: String, _ key: String, _ id: Int, skipping skipped: Set<String>, _ sql: any SQLDatabase) async throws -> [String] {
        let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
            .map { try $0.decode(column: "name", as: String.self) }.filter { !skipped.contains($0) }
        let list = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
        return try await sql.raw("SELECT \(unsafeRaw: list) AS r FROM \(ident: table) WHERE \(ident: key) = \(bind: id) ORDER BY rowid")
            .all().map { try $0.decode(column: "r", as: String.self) }
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
