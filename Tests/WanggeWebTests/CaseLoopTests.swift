import Fluent
import SQLKit
import Foundation
import Vapor
import WanggeDomain
@testable import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// One story per channel, from intake to the archive, through the HTTP API.
final class CaseLoopTests: XCTestCase {
    func testCitizenReportTravelsTheWholeLoop() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            // An anonymous citizen reports a missing manhole cover with a phone number.
            let intake = try await t.report([
                "channel": "citizen", "description": "湖滨路口井盖缺失,夜里很危险", "categoryCode": "0101",
                "location": ["lat": spot.lat, "lon": spot.lon], "address": "湖滨路 12 号", "reporterName": "张先生",
                "reporterPhone": "13912345678", "urgency": "urgent",
            ])
            XCTAssertEqual(intake.status, .created, "\(intake.json)")
            let code = try XCTUnwrap(intake.json["code"] as? String)
            let queryCode = try XCTUnwrap(intake.json["queryCode"] as? String)
            XCTAssertTrue(code.hasPrefix("330110-"), code)
            XCTAssertEqual(code.split(separator: "-").last?.count, 5)
            XCTAssertEqual(queryCode.count, 10)
            XCTAssertEqual(intake.json["gridCode"] as? String, "330110001001-01", "the grid comes from the point")
            XCTAssertEqual(intake.json["state"] as? String, "reported")

            let dispatcher = try await t.token("dispatcher-dh")
            var c = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(c["reporterPhone"] as? String, "139****5678", "masked until revealed")
            XCTAssertEqual(c["canRevealContact"] as? Bool, true)
            let revealed = try await t.api(.POST, "/api/v1/cases/\(code)/contact", token: dispatcher).body.json()
            XCTAssertEqual(revealed["reporterPhone"] as? String, "13912345678", "the centre must be able to call back")
            XCTAssertEqual(Set(c["allowedActions"] as? [String] ?? []),
                           ["register", "reject", "merge", "push_down", "escalate", "remind", "supervise", "note"])

            c = try await t.act(code, "register", token: dispatcher, ["version": 1])
            XCTAssertEqual(c["state"] as? String, "registered")
            c = try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG", "coDepartmentCodes": ["330110-ZJ"]])
            XCTAssertEqual(c["state"] as? String, "dispatched")
            XCTAssertEqual((c["leadDepartment"] as? [String: Any])?["name"] as? String, "区城管局")

            // The lead department sees it in its new-cases queue; the co-handler in co-handling.
            let cg = try await t.token("handler-cg")
            let zj = try await t.token("handler-zj")
            let newQueue = try await t.casePage("queue=department_new", token: cg).codes
            XCTAssertEqual(newQueue, [code])
            let coQueue = try await t.api(.GET, "/api/v1/cases?queue=co_handling", token: zj).body.json()
            XCTAssertEqual((coQueue["items"] as? [[String: Any]])?.count, 1)
            let handlerContact = try await t.api(.POST, "/api/v1/cases/\(code)/contact", token: cg).body.json()
            XCTAssertEqual(handlerContact["reporterPhone"] as? String, "13912345678")
            let coView = try await t.caseJSON(code, token: zj)
            XCTAssertEqual(coView["reporterPhone"] as? String, "139****5678", "a co-handler sees the phone masked")
            let coReveal = try await t.status(.POST, "/api/v1/cases/\(code)/contact", token: zj)
            XCTAssertEqual(coReveal, .forbidden, "and may not reveal it")
            let admin = try await t.token("admin")
            let log = try await t.api(.GET, "/api/v1/access-log", token: admin).body.jsonArray()
            XCTAssertEqual(Set(log.compactMap { $0["username"] as? String }), ["dispatcher-dh", "handler-cg"], "who saw whose contact")
            XCTAssertTrue(log.allSatisfy { $0["subject"] as? String == code })
            let notAdmin = try await t.status(.GET, "/api/v1/access-log", token: cg)
            XCTAssertEqual(notAdmin, .forbidden)

            try await t.act(code, "accept", token: cg)
            try await t.act(code, "co_handle", token: zj, ["note": "住建局已核实井座完好"])
            // The result goes in with a photo, as a phone would send it.
            let submitted = try await t.multipart("/api/v1/cases/\(code)/transitions", token: cg,
                                                  fields: [("action", "submit_result"), ("result", "已补装新井盖并加固")],
                                                  files: [Upload(name: "photos[]", filename: "after.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(submitted.status, .ok, "\(submitted.json)")
            XCTAssertEqual(submitted.json["state"] as? String, "handled")
            XCTAssertEqual((submitted.json["attachments"] as? [[String: Any]])?.count, 1)

            // The handler may not verify their own work; the grid worker does, on site.
            let cgVerify = try await t.act(code, "verify_pass", token: cg, expect: .forbidden)
            XCTAssertNotNil(cgVerify["error"])
            let grid1 = try await t.token("grid1")
            let verification = try await t.api(.GET, "/api/v1/cases?queue=verification", token: grid1).body.json()
            XCTAssertEqual((verification["items"] as? [[String: Any]])?.count, 1)
            try await t.act(code, "verify_pass", token: grid1)

            // The citizen follows it by query code (typed in lower case) and rates it.
            let tracked = try await t.track(queryCode.lowercased())
            XCTAssertEqual(tracked.status, .ok)
            XCTAssertEqual(tracked.json["canEvaluate"] as? Bool, true)
            XCTAssertEqual(tracked.json["reply"] as? String, "已补装新井盖并加固")
            let trackText = String(describing: tracked.json)
            XCTAssertFalse(trackText.contains("13912345678"))
            XCTAssertFalse(trackText.contains("张先生"))
            XCTAssertFalse(trackText.contains("handler-cg"))
            XCTAssertFalse(trackText.contains("住建局已核实"), "co-handling notes are internal")
            XCTAssertTrue(trackText.contains("区城管局"), "the department is named")
            XCTAssertEqual((tracked.json["photos"] as? [String])?.count, 1)
            let photoURL = try XCTUnwrap((tracked.json["photos"] as? [String])?.first)
            var photoBytes = Data()
            try await t.app.test(.GET, photoURL, afterResponse: { res async in photoBytes = Data(buffer: res.body) })
            XCTAssertEqual(photoBytes, tinyPNG)

            let rated = try await t.api(.POST, "/api/v1/track/\(queryCode)/evaluation", json: ["rating": "satisfied", "comment": "很快"])
            XCTAssertEqual(rated.status, .ok, rated.body)
            XCTAssertEqual(try rated.body.json()["state"] as? String, "evaluated")

            try await t.act(code, "close", token: dispatcher)
            c = try await t.act(code, "archive", token: dispatcher)
            XCTAssertEqual(c["state"] as? String, "archived")
            XCTAssertEqual(c["allowedActions"] as? [String], ["note"])

            let events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
            XCTAssertEqual(events.map { $0["action"] as? String ?? "" },
                           ["report", "register", "dispatch", "accept", "co_handle", "submit_result", "verify_pass", "evaluate", "close", "archive"])
            XCTAssertEqual(events.map { $0["toState"] as? String ?? "" },
                           ["reported", "registered", "dispatched", "in_progress", "in_progress", "handled", "verified", "evaluated", "closed", "archived"])
            XCTAssertEqual((events[3]["actor"] as? [String: Any])?["departmentCode"] as? String, "330110-CG")
            XCTAssertEqual((events[5]["attachmentIDs"] as? [Int])?.count, 1)
            try await t.assertEventLogsReplay()
        }
    }

    func testPatrolOnTheSpotIsVerifiedByTheVillage() async throws {
        try await withApp { t in
            let grid1 = try await t.token("grid1")
            let spot = try t.centre(of: "330110001001-01")
            let intake = try await t.multipart("/api/v1/cases", token: grid1, fields: [
                ("channel", "patrol"), ("description", "小区健身器材螺丝松动"), ("categoryCode", "0703"),
                ("lat", "\(spot.lat)"), ("lon", "\(spot.lon)"), ("resolvedOnSpot", "true"), ("result", "已当场拧紧螺丝"),
            ], files: [Upload(name: "photos[]", filename: "fixed.jpg", contentType: "image/jpeg", data: Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 7, count: 64))])
            XCTAssertEqual(intake.status, .created, "\(intake.json)")
            XCTAssertEqual(intake.json["state"] as? String, "handled")
            let code = try XCTUnwrap(intake.json["code"] as? String)

            try await t.act(code, "verify_pass", token: grid1, expect: .forbidden)
            // Another grid worker of the same village may verify an on-the-spot resolution.
            let grid2 = try await t.token("grid2")
            try await t.act(code, "verify_pass", token: grid2)
            let dispatcher = try await t.token("dispatcher")
            try await t.act(code, "return_visit", token: dispatcher, ["rating": "satisfied", "note": "电话回访,居民满意"])
            try await t.act(code, "close", token: dispatcher)
            let archived = try await t.act(code, "archive", token: dispatcher)
            XCTAssertEqual(archived["state"] as? String, "archived")
            XCTAssertEqual(archived["resolvedOnSpot"] as? Bool, true)
            try await t.assertEventLogsReplay()
        }
    }

    func testHotlineCaseDispatchedToAGridWithReworkAndReopen() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            let missingTicket = try await t.report(["channel": "hotline", "description": "楼道堆放杂物堵塞消防通道"], token: dispatcher)
            XCTAssertEqual(missingTicket.status, .badRequest)
            let intake = try await t.report(["channel": "hotline", "description": "楼道堆放杂物堵塞消防通道", "hotlineTicket": "12345-2026-0042",
                                              "gridCode": "330110002001-02", "reporterPhone": "0571-88001234", "categoryCode": "0104"],
                                             token: dispatcher)
            XCTAssertEqual(intake.status, .created, "\(intake.json)")
            let code = try XCTUnwrap(intake.json["code"] as? String)
            let queryCode = try XCTUnwrap(intake.json["queryCode"] as? String)
            try await t.act(code, "register", token: dispatcher)
            try await t.act(code, "dispatch", token: dispatcher, ["gridCode": "330110002001-02"])

            let worker = try await t.token("grid11") // 南山村第二网格
            let tasks = try await t.api(.GET, "/api/v1/cases?queue=grid_tasks", token: worker).body.json()
            XCTAssertEqual((tasks["items"] as? [[String: Any]])?.count, 1)
            try await t.act(code, "accept", token: worker)
            try await t.act(code, "submit_result", token: worker, ["result": "已清理"])
            // The dispatcher checks and finds it not done: rework.
            try await t.act(code, "verify_fail", token: dispatcher, expect: .badRequest) // needs a reason
            var c = try await t.act(code, "verify_fail", token: dispatcher, ["note": "现场仍有杂物"])
            XCTAssertEqual(c["state"] as? String, "in_progress")
            XCTAssertEqual((c["counters"] as? [String: Any])?["reworks"] as? Int, 1)
            try await t.act(code, "submit_result", token: worker, ["result": "已全部清运"])
            try await t.act(code, "verify_pass", token: dispatcher)
            _ = try await t.api(.POST, "/api/v1/track/\(queryCode)/evaluation", json: ["rating": "unsatisfied"])
            c = try await t.act(code, "reopen", token: dispatcher)
            XCTAssertEqual(c["state"] as? String, "dispatched")
            XCTAssertEqual((c["counters"] as? [String: Any])?["reopens"] as? Int, 1)
            try await t.act(code, "accept", token: worker)
            try await t.act(code, "submit_result", token: worker, ["result": "加装了提示牌"])
            try await t.act(code, "verify_pass", token: dispatcher)
            try await t.act(code, "return_visit", token: dispatcher, ["rating": "basically_satisfied"])
            c = try await t.act(code, "close", token: dispatcher)
            XCTAssertEqual(c["state"] as? String, "closed")
            XCTAssertEqual(c["hotlineTicket"] as? String, "12345-2026-0042")
            XCTAssertEqual(c["channel"] as? String, "hotline")
            try await t.assertEventLogsReplay()
        }
    }

    func testWindowCaseRejectedWithAReasonTheReporterSees() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let intake = try await t.report(["channel": "window", "description": "咨询孩子入学政策", "reporterName": "李女士"], token: dispatcher)
            XCTAssertEqual(intake.status, .created, "\(intake.json)")
            let code = try XCTUnwrap(intake.json["code"] as? String)
            XCTAssertEqual(intake.json["gridCode"] as? String, nil)
            try await t.act(code, "reject", token: dispatcher, expect: .badRequest)
            let c = try await t.act(code, "reject", token: dispatcher, ["note": "属政策咨询,已当场解答,不予立案"])
            XCTAssertEqual(c["state"] as? String, "rejected")
            XCTAssertEqual(c["allowedActions"] as? [String], ["note"])
            let tracked = try await t.track(try XCTUnwrap(intake.json["queryCode"] as? String))
            XCTAssertEqual(tracked.json["stateName"] as? String, "不予受理")
            XCTAssertTrue(String(describing: tracked.json).contains("属政策咨询"))
        }
    }

    func testPetitionReturnedByOneDepartmentAndHandledByAnother() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            let noKind = try await t.report(["channel": "petition", "description": "反映工地拖欠农民工工资三个月"], token: dispatcher)
            XCTAssertEqual(noKind.status, .badRequest)
            let intake = try await t.report(["channel": "petition", "petitionKind": "visit", "description": "反映工地拖欠农民工工资三个月",
                                              "categoryCode": "0401"], token: dispatcher)
            let code = try XCTUnwrap(intake.json["code"] as? String)
            XCTAssertEqual(intake.status, .created)
            try await t.act(code, "register", token: dispatcher)
            try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-SJ"])
            let sj = try await t.token("handler-sj")
            try await t.act(code, "return", token: sj, expect: .badRequest)
            var c = try await t.act(code, "return", token: sj, ["note": "欠薪问题应由人社局处理"])
            XCTAssertEqual(c["state"] as? String, "registered")
            // It is gone from the returning department's view, and in the dispatcher's returned queue.
            let gone = try await t.status(.GET, "/api/v1/cases/\(code)", token: sj)
            XCTAssertEqual(gone, .notFound)
            let sjList = try await t.casePage("", token: sj).codes
            XCTAssertEqual(sjList, [], "nor in its list")
            let returned = try await t.casePage("queue=returned", token: dispatcher).codes
            XCTAssertEqual(returned, [code])
            try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-RS"])
            let rs = try await t.token("handler-rs")
            try await t.act(code, "accept", token: rs)
            func extensionQueue() async throws -> [String] {
                try await t.casePage("queue=extension_requests", token: dispatcher).codes
            }
            let noneAsked = try await extensionQueue()
            XCTAssertEqual(noneAsked, [])
            try await t.act(code, "request_extension", token: rs, ["note": "需协调施工方", "extensionHours": 48])
            let asked = try await extensionQueue()
            XCTAssertEqual(asked, [code], "the request waits in the dispatcher's extension queue")
            c = try await t.act(code, "approve_extension", token: dispatcher)
            XCTAssertEqual(c["extensionRequested"] as? Bool, false)
            let decided = try await extensionQueue()
            XCTAssertEqual(decided, [], "and leaves it once decided")
            try await t.act(code, "remind", token: dispatcher)
            let leader = try await t.token("leader")
            c = try await t.act(code, "supervise", token: leader)
            XCTAssertEqual((c["counters"] as? [String: Any])?["supervisions"] as? Int, 1)
            XCTAssertEqual((c["counters"] as? [String: Any])?["reminders"] as? Int, 1)
            XCTAssertEqual((c["counters"] as? [String: Any])?["returns"] as? Int, 1)
            try await t.act(code, "submit_result", token: rs, ["result": "已督促施工方足额支付"])
            try await t.act(code, "verify_pass", token: dispatcher)
            try await t.act(code, "close", token: dispatcher, expect: .badRequest) // no evaluation and no reason
            c = try await t.act(code, "close", token: dispatcher, ["note": "来访人未留联系方式,无法回访"])
            XCTAssertEqual(c["state"] as? String, "closed")
            XCTAssertEqual(c["petitionKind"] as? String, "visit")
            try await t.assertEventLogsReplay()
        }
    }

    /// Rows left behind by earlier versions for cases no department holds any more are removed once
    /// (migration 013); the rows of a case that is still dispatched stay.
    func testLeftOverDepartmentRowsOfReturnedCasesAreRemovedOnce() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for _ in 0..<2 {
                let r = try await t.report(["channel": "citizen", "description": "路边井盖破损需要更换", "location": ["lat": spot.lat, "lon": spot.lon]])
                let code = try XCTUnwrap(r.json["code"] as? String)
                try await t.act(code, "register", token: dispatcher)
                try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
                codes.append(code)
            }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            // As an earlier version left a return: the case unassigned, its department's row still there.
            try await sql.raw("UPDATE cases SET lead_department_code = NULL, state = 'registered' WHERE code = \(bind: codes[0])").run()
            func rows(_ code: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM case_departments WHERE case_id = (SELECT id FROM cases WHERE code = \(bind: code))")
                    .first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let before = try await rows(codes[0])
            XCTAssertEqual(before, 1)
            try await RemoveDepartmentRowsOfUnassignedCases().prepare(on: t.app.db)
            let (left, kept) = (try await rows(codes[0]), try await rows(codes[1]))
            XCTAssertEqual(left, 0)
            XCTAssertEqual(kept, 1, "a dispatched case keeps its row")
            let cg = try await t.token("handler-cg")
            let list = try await t.casePage("", token: cg).codes
            XCTAssertEqual(list, [codes[1]])
        }
    }
}
