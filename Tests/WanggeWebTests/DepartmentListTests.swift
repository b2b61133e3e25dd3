import Foundation
import Fluent
import XCTest
import XCTVapor
import WanggePersistence
@testable import WanggeWeb

/// A handler's lists: the cases its department leads or shares, newest first, and nothing else.
final class DepartmentListTests: XCTestCase {
    func testADepartmentsListHoldsWhatItLeadsAndSharesNewestFirstPageByPage() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let codes = try await registeredReports(6, "小区路灯不亮,晚上很黑", t, dispatcher: dispatcher)
            try await t.act(codes[0], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(codes[1], "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ", "coDepartmentCodes": ["330110-CG"]])
            try await t.act(codes[2], "dispatch", token: dispatcher, ["departmentCode": "330110-SJ"])
            try await t.act(codes[3], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            // codes[4] stays with the centre; codes[5] goes to CG and comes back.
            try await t.act(codes[5], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            let cg = try await t.token("handler-cg")
            try await t.act(codes[5], "return", token: cg, ["note": "不属于城管职责"])
            try await t.act(codes[0], "accept", token: cg)

            // Two at a time, following the cursor: each case once, newest first.
            let first = try await t.casePage("limit=2", token: cg)
            XCTAssertEqual(first.codes, [codes[3], codes[1]], "[\(t.database)]")
            let second = try await t.casePage("limit=2&after=\(try XCTUnwrap(first.next))", token: cg)
            XCTAssertEqual(second.codes, [codes[0]], "[\(t.database)] a case it shares is there; the returned one is not")
            XCTAssertNil(second.next)

            let inProgress = try await t.casePage("status=in_progress", token: cg)
            XCTAssertEqual(inProgress.codes, [codes[0]])
            let dispatched = try await t.casePage("status=dispatched", token: cg)
            XCTAssertEqual(dispatched.codes, [codes[3], codes[1]])
            let searched = try await t.casePage("q=路灯", token: cg)
            XCTAssertEqual(searched.codes, [codes[3], codes[1], codes[0]], "search keeps to the department's cases")
            let new = try await t.casePage("queue=department_new", token: cg)
            XCTAssertEqual(new.codes, [codes[3]])
            let shared = try await t.casePage("queue=co_handling", token: cg)
            XCTAssertEqual(shared.codes, [codes[1]])

            let zj = try await t.token("handler-zj")
            let zjList = try await t.casePage("", token: zj)
            XCTAssertEqual(zjList.codes, [codes[1]])
            let zjShared = try await t.casePage("queue=co_handling", token: zj)
            XCTAssertEqual(zjShared.codes, [], "the lead does not co-handle its own case")
            let sj = try await t.token("handler-sj")
            let sjSearched = try await t.casePage("q=路灯", token: sj)
            XCTAssertEqual(sjSearched.codes, [codes[2]])
        }
    }

    /// The co-handling queue: the open cases the department shares and does not lead, newest first,
    /// page by page; a shared case whose result is in, or one shared with another department, is not.
    func testTheCoHandlingQueueHoldsTheOpenCasesTheDepartmentSharesPageByPage() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let codes = try await registeredReports(6, "小区门口井盖松动", t, dispatcher: dispatcher)
            for i in [0, 1, 3, 5] {
                try await t.act(codes[i], "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ", "coDepartmentCodes": ["330110-CG"]])
            }
            try await t.act(codes[2], "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ", "coDepartmentCodes": ["330110-SJ"]])
            try await t.act(codes[4], "dispatch", token: dispatcher, ["departmentCode": "330110-CG", "coDepartmentCodes": ["330110-ZJ"]])
            let zj = try await t.token("handler-zj")
            try await t.act(codes[1], "accept", token: zj)
            try await t.act(codes[3], "accept", token: zj)
            try await t.act(codes[3], "submit_result", token: zj, ["result": "已更换井盖"])

            func queue(_ extra: String, token: String) async throws -> (codes: [String], next: String?) {
                try await t.casePage("queue=co_handling\(extra)", token: token)
            }
            let cg = try await t.token("handler-cg")
            let first = try await queue("&limit=2", token: cg)
            XCTAssertEqual(first.codes, [codes[5], codes[1]], "[\(t.database)] dispatched and in progress, newest first")
            let second = try await queue("&limit=2&after=\(try XCTUnwrap(first.next))", token: cg)
            XCTAssertEqual(second.codes, [codes[0]], "[\(t.database)] the handled case is left out, and the one CG leads")
            XCTAssertNil(second.next)
            let searched = try await queue("&q=井盖", token: cg)
            XCTAssertEqual(searched.codes, [codes[5], codes[1], codes[0]], "a search within the queue")
            let zjShared = try await queue("", token: zj)
            XCTAssertEqual(zjShared.codes, [codes[4]])
            let notAHandler = try await queue("", token: dispatcher)
            XCTAssertEqual(notAHandler.codes, [], "a dispatcher co-handles nothing")
        }
    }

    /// A handler's search, a page at a time, indexed or still queued: the matching cases its department leads or shares
    /// (as `case_departments` holds them), newest first, and no other department's. On SQLite each full-text match is
    /// checked against the department's rows before the case's row is read. Its list within a subcategory keeps to them too.
    func testAHandlersSearchAndSubcategoryListKeepToItsDepartmentsCases() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            var codes: [String] = []
            for round in 0..<2 {
                let batch = try await registeredReports(5, "银杏路路灯不亮", t, dispatcher: dispatcher)
                try await t.act(batch[0], "dispatch", token: dispatcher, ["departmentCode": "330110-CG", "categoryCode": "0101"])
                try await t.act(batch[1], "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ", "coDepartmentCodes": ["330110-CG"],
                                                                         "categoryCode": "0102"])
                try await t.act(batch[2], "dispatch", token: dispatcher, ["departmentCode": "330110-SJ", "categoryCode": "0102"])
                try await t.act(batch[3], "dispatch", token: dispatcher, ["departmentCode": "330110-CG", "categoryCode": "0102"])
                try await t.act(batch[3], "return", token: cg, ["note": "不属于城管职责"])
                codes += batch
                if round == 0 { try await t.app.indexSearchTerms() }
            }
            func search(_ q: String, token: String) async throws -> [String] {
                try await t.casePages("q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=1", token: token)
            }
            func stored(_ department: String) async throws -> [String] {
                let ids = Set(try await CaseDepartmentModel.query(on: t.app.db).filter(\.$departmentCode == department).all().map(\.caseID))
                return try await CaseModel.query(on: t.app.db).sort(\.$id, .descending).all()
                    .filter { ids.contains($0.id!) && $0.description.contains("银杏路路灯") }.map(\.code)
            }
            let cgStored = try await stored("330110-CG")
            XCTAssertEqual(cgStored, [6, 5, 1, 0].map { codes[$0] }, "[\(t.database)] the lead and the shared of each round")
            let queuedToo = try await search("银杏路 路灯", token: cg)
            XCTAssertEqual(queuedToo, cgStored, "[\(t.database)] the first round indexed, the second queued")
            try await t.app.indexSearchTerms()
            let indexed = try await search("路灯", token: cg)
            XCTAssertEqual(indexed, cgStored, "[\(t.database)]")
            let sj = try await t.token("handler-sj")
            let sjSearched = try await search("银杏路", token: sj)
            let sjStored = try await stored("330110-SJ")
            XCTAssertEqual(sjSearched, sjStored)

            // Its list within a subcategory, a page at a time: its own cases of that subcategory. (On PostgreSQL read from
            // the subcategory's entries.)
            let all = try await CaseModel.query(on: t.app.db).sort(\.$id, .descending).all()
            let cgIDs = Set(try await CaseDepartmentModel.query(on: t.app.db).filter(\.$departmentCode == "330110-CG").all().map(\.caseID))
            for category in ["0102", "0101"] {
                let listed = try await t.casePages("category=\(category)&limit=1", token: cg)
                XCTAssertEqual(listed, all.filter { cgIDs.contains($0.id!) && $0.categoryCode == category }.map(\.code), "[\(t.database)] \(category)")
                XCTAssertFalse(listed.isEmpty, category)
            }
            let sharedOnes = try await t.casePages("queue=co_handling&category=0102&limit=1", token: cg)
            XCTAssertEqual(sharedOnes, [codes[6], codes[1]], "[\(t.database)]")
            let noneShared = try await t.casePages("queue=co_handling&category=0101&limit=1", token: cg)
            XCTAssertEqual(noneShared, [], "[\(t.database)] it leads its 0101 cases, shares none")
            XCTAssertEqual(sjSearched, [7, 2].map { codes[$0] })
        }
    }

    /// `count` reports in one grid, each registered by the dispatcher, oldest first.
    private func registeredReports(_ count: Int, _ description: String, _ t: TestContext, dispatcher: String) async throws -> [String] {
        let spot = try t.centre(of: "330110001001-01")
        var codes: [String] = []
        for _ in 0..<count {
            let r = try await t.report(["channel": "citizen", "description": description, "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
            try await t.act(code, "register", token: dispatcher)
            codes.append(code)
        }
        return codes
    }
}
