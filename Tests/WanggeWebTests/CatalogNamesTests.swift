import Foundation
import XCTest
import XCTVapor

@testable import WanggeWeb

/// Names of units, categories and departments are kept in memory; a change made here shows at once.
final class CatalogNamesTests: XCTestCase {
    func testRenamedCategoryNewDepartmentAndRenamedGridShowAtOnce() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let report = try await t.report(["channel": "citizen", "description": "井盖破损,夜里很危险", "categoryCode": "0101",
                                             "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(report.json["code"] as? String)
            let queryCode = try XCTUnwrap(report.json["queryCode"] as? String)
            let tracked = try await t.track(queryCode)
            let before = try XCTUnwrap(tracked.json["category"] as? String)

            let admin = try await t.token("admin")
            let renamed = try await t.api(.PATCH, "/api/v1/categories/0101", token: admin,
                                          json: ["code": "0101", "name": "窨井盖问题", "parentCode": "01"])
            XCTAssertEqual(renamed.status, .ok, renamed.body)
            XCTAssertNotEqual(before, "窨井盖问题")
            let after = try await t.track(queryCode)
            XCTAssertEqual(after.json["category"] as? String, "窨井盖问题", "the reporter sees the new name at once")

            let created = try await t.api(.POST, "/api/v1/departments", token: admin,
                                          json: ["code": "330110-WLJ", "name": "区文旅局", "orgCode": "330110"])
            XCTAssertEqual(created.status, .created, created.body)
            let dispatcher = try await t.token("dispatcher")
            try await t.act(code, "register", token: dispatcher)
            let dispatched = try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-WLJ"])
            XCTAssertEqual((dispatched["leadDepartment"] as? [String: Any])?["name"] as? String, "区文旅局",
                           "a department created a moment ago is named, not shown as its code")

            let grid = try XCTUnwrap((dispatched["grid"] as? [String: Any])?["code"] as? String)
            let gridRenamed = try await t.api(.PATCH, "/api/v1/org-units/\(grid)", token: admin, json: ["name": "湖滨一网格(新)"])
            XCTAssertEqual(gridRenamed.status, .ok, gridRenamed.body)
            let shown = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual((shown["grid"] as? [String: Any])?["name"] as? String, "湖滨一网格(新)", "a renamed grid shows its new name at once")
        }
    }
}
