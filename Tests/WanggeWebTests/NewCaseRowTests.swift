import FluentKit
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import XCTest

@testable import WanggePersistence
@testable import WanggeWeb

/// Intake writes a new case and its events from plain values (`NewCaseRow`, `EventContent`), without
/// the models that every later step loads and saves. The two must not drift apart: intake must
/// write every column the models have, and a row it writes must be one the model's own rules would
/// leave unchanged.
final class NewCaseRowTests: XCTestCase {
    func testIntakeWritesEveryColumnOfACaseOrSaysWhyNot() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let written = try await t.report(["channel": "citizen", "description": "楼道灯坏了,晚上看不见台阶"])
            XCTAssertEqual(written.status, .created)
            let code = try XCTUnwrap(written.json["code"] as? String)
            let found = try await sql.raw("SELECT * FROM cases WHERE code = \(bind: code)").first()
            let row = try XCTUnwrap(found)
            let intakeColumns = try await Self.intakeRow(code: code, on: t).columns(id: 1, code: code, eventHash: "h", queryCodeHash: "q").map(\.name)

            XCTAssertEqual(Set(intakeColumns).count, intakeColumns.count, "a column written twice")
            XCTAssertTrue(Set(intakeColumns).isDisjoint(with: NewCaseRow.leftEmpty))
            let modelColumns = CaseModel().properties.compactMap { ($0 as? any AnyDatabaseProperty)?.keys.first?.description }
            XCTAssertEqual(Set(intakeColumns).union(NewCaseRow.leftEmpty), Set(modelColumns),
                           "a column of the model that intake neither writes nor leaves empty on purpose")
            XCTAssertEqual(Set(intakeColumns).union(NewCaseRow.leftEmpty), Set(row.allColumns),
                           "a column of the table that intake neither writes nor leaves empty on purpose")
            for column in NewCaseRow.leftEmpty {
                XCTAssertTrue(try row.decodeNil(column: column), "\(column) of a new case")
            }

            // Its events too (`EventContent`): every column but the id.
            let event = CaseEvents.content(seq: 1, action: .report, from: nil, to: .reported, actor: nil, anonymousName: "群众", note: nil,
                                           payload: "{}", at: Date(), placeCode: nil)
            let eventColumns = event.columns(caseID: 1, hash: "").map(\.name)
            XCTAssertEqual(Set(eventColumns).count, eventColumns.count, "an event column written twice")
            let eventModelColumns = CaseEventModel().properties.compactMap { ($0 as? any AnyDatabaseProperty)?.keys.first?.description }
            XCTAssertEqual(Set(eventColumns).union(["id"]), Set(eventModelColumns), "a column of an event that intake does not write")
        }
    }

    /// Each kind of report, read back through the model: setting its snapshot and clocks again
    /// (as every later step does) changes no column, and the columns that come from the report
    /// hold what was reported.
    func testEachKindOfReportIsARowTheModelsRulesLeaveAsItIs() async throws {
        try await withApp { t in
            let app = t.app
            let spot = try t.centre(of: "330110001001-01")
            let (worker, dispatcher) = (try await t.token("grid1"), try await t.token("dispatcher"))
            let reports: [(token: String?, body: [String: Any])] = [
                (nil, ["channel": "citizen", "description": "小区门口井盖破损,夜间容易绊倒行人", "categoryCode": "0101",
                       "location": ["lat": spot.lat, "lon": spot.lon], "address": "文一路 12 号", "reporterName": "王女士",
                       "reporterPhone": "13800138000", "urgency": "urgent"]),
                (nil, ["channel": "citizen", "description": "匿名反映:夜市油烟扰民", "anonymous": true, "reporterName": "不该记下",
                       "location": ["lat": 1.0, "lon": 1.0]]),
                (worker, ["channel": "patrol", "description": "巡查发现井盖松动", "categoryCode": "0101", "resolvedOnSpot": true,
                          "result": "已当场固定", "location": ["lat": spot.lat, "lon": spot.lon]]),
                (dispatcher, ["channel": "hotline", "description": "12345 转来:小区停水三天", "hotlineTicket": "GD-2026-0001",
                              "reporterName": "李先生", "reporterPhone": "13900139000", "gridCode": "330110001001-01"]),
                (dispatcher, ["channel": "petition", "description": "来访反映拆迁补偿未落实", "petitionKind": "visit",
                              "reporterName": "赵女士", "urgency": "critical"]),
            ]
            let sla = try await app.slaContext(on: app.db)
            let workerName = try await UserModel.query(on: app.db).filter(\.$username == "grid1").first()?.displayName
            for (token, body) in reports {
                let reply = try await t.report(body, token: token)
                XCTAssertEqual(reply.status, .created, "\(body)")
                let code = try XCTUnwrap(reply.json["code"] as? String)
                let found = try await CaseModel.query(on: app.db).filter(\.$code == code).first()
                let model = try XCTUnwrap(found)
                // Every field, as loaded or as set since (a model's own encoding).
                func fields() throws -> String {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    return String(decoding: try encoder.encode(model), as: UTF8.self)
                }
                let stored = try fields()
                try model.setSnapshot(try model.snapshot)
                try model.setDeadlines(model.deadlines, thresholds: sla.thresholds, calendar: sla.calendar)
                XCTAssertEqual(try fields(), stored, "\(code): its columns disagree with its snapshot or clocks")

                XCTAssertEqual(model.description, body["description"] as? String)
                XCTAssertEqual(model.channel, body["channel"] as? String)
                XCTAssertEqual(model.urgency, body["urgency"] as? String ?? "normal")
                XCTAssertEqual(model.address, body["address"] as? String)
                let anonymous = body["anonymous"] as? Bool ?? false
                XCTAssertEqual(model.anonymous, anonymous)
                XCTAssertEqual(model.reporterName, anonymous ? nil : body["reporterName"] as? String ?? (token == worker ? workerName : nil))
                XCTAssertEqual(model.reporterPhone, body["reporterPhone"] as? String)
                XCTAssertEqual(model.hotlineTicket, body["hotlineTicket"] as? String)
                XCTAssertEqual(model.hotlineNumber, body["hotlineTicket"] == nil ? nil : "12345")
                XCTAssertEqual(model.petitionKind, body["petitionKind"] as? String)
                let location = body["location"] as? [String: Double]
                XCTAssertEqual(model.lat, location?["lat"])
                XCTAssertEqual(model.lon, location?["lon"])
                XCTAssertEqual(model.outsideGrids, location?["lat"] == 1.0, "a point in no grid is outside the grids")
                XCTAssertEqual(model.gridCode, location?["lat"] == 1.0 ? nil : body["gridCode"] as? String ?? (location == nil ? nil : "330110001001-01"))
                let onSpot = body["resolvedOnSpot"] as? Bool ?? false
                XCTAssertEqual(model.caseState, onSpot ? .handled : .reported)
                XCTAssertEqual(model.version, onSpot ? 2 : 1)
                XCTAssertEqual(model.lastAction, (onSpot ? CaseAction.resolveOnSpot : .report).rawValue)
                XCTAssertEqual(model.result, body["result"] as? String)
                XCTAssertEqual(model.publicReply, body["result"] as? String)
                XCTAssertEqual(model.createdAt, model.updatedAt)
                XCTAssertFalse(model.autoEscalated)
                XCTAssertNotNil(model.dueAt, "a new case's clock runs")
                let events = try await CaseEventModel.query(on: app.db).filter(\.$caseID == model.requireID()).sort(\.$seq).all()
                XCTAssertEqual(events.count, model.version)
                XCTAssertEqual(model.eventHash, events.last?.hash, "the case's head is its last event's hash")
            }
            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [])
        }
    }

    /// The plain row of a case already written, rebuilt as intake would build it.
    /// A group's cases and events go into one statement as one flat list of values (`FlatRows`): each row's values
    /// in the columns' order, the same as that row alone would give, and rows of differing columns are refused
    /// before anything is written.
    func testAGroupsRowsWrittenFlatAreEachRowInTheColumnsOrder() async throws {
        try await withApp { t in
            let first = try await Self.intakeRow(code: "x", on: t)
            var cases = FlatRows()
            first.columns(id: 7, code: "330110-20261206-00007", eventHash: "h7", queryCodeHash: "q7", into: &cases)
            first.columns(id: 8, code: "330110-20261206-00008", eventHash: "h8", queryCodeHash: "q8", into: &cases)
            XCTAssertEqual(cases.count, 2)
            XCTAssertTrue(cases.isRectangular)
            let alone = first.columns(id: 8, code: "330110-20261206-00008", eventHash: "h8", queryCodeHash: "q8")
            XCTAssertEqual(cases.columns, alone.map(\.name))
            XCTAssertEqual(Array(cases.values[alone.count...]), alone.map(\.value), "the second row's values, in the columns' order")
            XCTAssertEqual(cases.values[cases.columns.firstIndex(of: "id")!], .int(7))

            let event = CaseEvents.content(seq: 1, action: .report, from: nil, to: .reported, actor: nil, anonymousName: "群众", note: nil,
                                           payload: "{}", at: Date(), placeCode: nil)
            var ragged = cases
            event.columns(caseID: 9, hash: "h9", into: &ragged)
            XCTAssertFalse(ragged.isRectangular)
            let before = try await CaseModel.query(on: t.app.db).count()
            let rows = ragged
            do {
                _ = try await t.app.db.writeRows { try await PlainWrites.insert(rows, table: CaseModel.schema, returning: [], into: $0) }
                XCTFail("rows of differing columns were written")
            } catch {}
            let after = try await CaseModel.query(on: t.app.db).count()
            XCTAssertEqual(after, before, "nothing written")
        }
    }

    private static func intakeRow(code: String, on t: TestContext) async throws -> NewCaseRow {
        let service = CaseIntakeService(db: t.app.db, timeZone: t.app.wanggeConfig.timeZone)
        let sla = try await t.app.slaContext(on: t.app.db)
        let result = try await service.intake(IntakeInput(channel: "citizen", description: "再报一件:路灯不亮"), by: Reporter(actor: nil),
                                              locatedGrid: nil, photos: [], now: Date(), sla: sla)
        return result.row
    }
}
