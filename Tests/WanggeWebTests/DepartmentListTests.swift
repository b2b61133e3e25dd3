import Foundation
import XCTest
import XCTVapor
@testable import WanggeWeb

/// A handler's lists: the cases its department leads or shares, newest first, and nothing else.
final class DepartmentListTests: XCTestCase {
    func testADepartmentsListHoldsWhatItLeadsAndSharesNewestFirstPageByPage() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for _ in 0..<6 {
                let r = try await t.report(["channel": "citizen", "description": "小区路灯不亮,晚上很黑", "location": ["lat": spot.lat, "lon": spot.lon]])
                let code = try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
                try await t.act(code, "register", token: dispatcher)
                codes.append(code)
            }
            try await t.act(codes[0], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(codes[1], "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ", "coDepartmentCodes": ["330110-CG"]])
            try await t.act(codes[2], "dispatch", token: dispatcher, ["departmentCode": "330110-SJ"])
            try await t.act(codes[3], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            // codes[4] stays with the centre; codes[5] goes to CG and comes back.
            try await t.act(codes[5], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            let cg = try await t.token("handler-cg")
            try await t.act(codes[5], "return", token: cg, ["note": "不属于城管职责"])
            try await t.act(codes[0], "accept", token: cg)

            func list(_ query: String, token: String) async throws -> (codes: [String], next: String?) {
                let page = try await t.api(.GET, "/api/v1/cases?\(query)", token: token).body.json()
                return ((page["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? ["?"], page["next"] as? String)
            }
            // Two at a time, following the cursor: each case once, newest first.
            let first = try await list("limit=2", token: cg)
            XCTAssertEqual(first.codes, [codes[3], codes[1]], "[\(t.database)]")
            let second = try await list("limit=2&after=\(try XCTUnwrap(first.next))", token: cg)
            XCTAssertEqual(second.codes, [codes[0]], "[\(t.database)] a case it shares is there; the returned one is not")
            XCTAssertNil(second.next)

            let inProgress = try await list("status=in_progress", token: cg)
            XCTAssertEqual(inProgress.codes, [codes[0]])
            let dispatched = try await list("status=dispatched", token: cg)
            XCTAssertEqual(dispatched.codes, [codes[3], codes[1]])
            let searched = try await list("q=路灯", token: cg)
            XCTAssertEqual(searched.codes, [codes[3], codes[1], codes[0]], "search keeps to the department's cases")
            let new = try await list("queue=department_new", token: cg)
            XCTAssertEqual(new.codes, [codes[3]])
            let shared = try await list("queue=co_handling", token: cg)
            XCTAssertEqual(shared.codes, [codes[1]])

            let zj = try await t.token("handler-zj")
            let zjList = try await list("", token: zj)
            XCTAssertEqual(zjList.codes, [codes[1]])
            let zjShared = try await list("queue=co_handling", token: zj)
            XCTAssertEqual(zjShared.codes, [], "the lead does not co-handle its own case")
            let sj = try await t.token("handler-sj")
            let sjSearched = try await list("q=路灯", token: sj)
            XCTAssertEqual(sjSearched.codes, [codes[2]])
        }
    }
}
