import Foundation
import XCTest
import XCTVapor

import WanggePersistence
@testable import WanggeWeb

/// Names of units, categories and departments are kept in memory; a change made here shows at once.
final class CatalogNamesTests: XCTestCase {
    /// The pages offer categories from the kept copy: one created, renamed or closed shows in the report form, the work
    /// list's filter and a case page's choices at once, in its order.
    func testTheChoicesOfCategoriesFollowAnAdministratorsChangesAtOnce() async throws {
        try await withApp { t in
            var dispatcher = Browser()
            try await t.signIn("dispatcher", &dispatcher)
            let report = try await t.report(["channel": "citizen", "description": "井盖破损,夜里很危险", "categoryCode": "0101"])
            let code = try XCTUnwrap(report.json["code"] as? String)
            func pages() async throws -> (form: String, work: String, casePage: String) {
                (try await t.get("/report", &dispatcher).1, try await t.get("/work", &dispatcher).1, try await t.get("/cases/\(code)", &dispatcher).1)
            }
            let before = try await pages()
            XCTAssertFalse(before.form.contains("新设大类"))

            let admin = try await t.token("admin")
            for (body, status) in [(["code": "99", "name": "新设大类"], HTTPStatus.created),
                                   (["code": "9901", "name": "新设小类", "parentCode": "99"], .created)] {
                let created = try await t.api(.POST, "/api/v1/categories", token: admin, json: body)
                XCTAssertEqual(created.status, status, created.body)
            }
            let added = try await pages()
            XCTAssertTrue(added.form.contains("<option value=\"9901\">新设小类</option>"), "the form offers the new subcategory")
            XCTAssertTrue(added.work.contains(">新设大类</option>"), "the work list filters by the new category")
            XCTAssertTrue(added.casePage.contains("新设大类 / 新设小类"), "a case can be moved to it")
            let order = try XCTUnwrap(added.form.range(of: "新设小类")).lowerBound
            XCTAssertLessThan(try XCTUnwrap(added.form.range(of: "井盖")).lowerBound, order, "after the older ones")

            let renamed = try await t.api(.PATCH, "/api/v1/categories/9901", token: admin,
                                          json: CategoryInput(code: "9901", name: "改名小类", parentCode: "99", active: false))
            XCTAssertEqual(renamed.status, .ok, renamed.body)
            let closed = try await pages()
            XCTAssertFalse(closed.form.contains("9901"), "a closed subcategory is offered no more")
            XCTAssertFalse(closed.casePage.contains("改名小类"))

            // Registered, the case can be dispatched: its page offers the departments.
            try await t.act(code, "register", token: t.token("dispatcher"))
            let registered = try await pages()
            XCTAssertTrue(registered.casePage.contains("区城管局"), "the departments are offered")
            XCTAssertFalse(registered.casePage.contains("区文旅局"))
            let department = try await t.api(.POST, "/api/v1/departments", token: admin,
                                             json: ["code": "330110-WLJ", "name": "区文旅局", "orgCode": "330110"])
            XCTAssertEqual(department.status, .created, department.body)
            let withDepartment = try await pages()
            XCTAssertTrue(withDepartment.casePage.contains("区文旅局"), "the dispatch form offers a department created a moment ago")
        }
    }

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

/// The in-memory copies behind names and SLA settings: read without a load while fresh, loaded once
/// for callers arriving together, dropped at once when this instance changes the source.
final class RefreshingValueTests: XCTestCase {
    private final class Loads: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func next() -> Int { lock.withLock { count += 1; return count } }
        var total: Int { lock.withLock { count } }
    }

    func testFreshValueIsReadWithoutLoadingAndReloadedWhenStaleOrInvalidated() async throws {
        let loads = Loads()
        let cache = RefreshingValue<Int>(lifetime: .milliseconds(300))
        let load: @Sendable (Int?) async throws -> Int = { _ in loads.next() }
        for _ in 0..<100 { _ = try await cache.get(load) }
        let read = try await cache.get(load)
        XCTAssertEqual(read, 1, "a hundred reads while fresh: one load")
        XCTAssertEqual(loads.total, 1)

        try await Task.sleep(for: .milliseconds(400))
        let stale = try await cache.get(load)
        XCTAssertEqual(stale, 2, "stale after its lifetime: loaded again")

        await cache.invalidate()
        let invalidated = try await cache.get(load)
        XCTAssertEqual(invalidated, 3, "invalidated: loaded again at once, though its lifetime has not run out")
        let again = try await cache.get(load)
        XCTAssertEqual(again, 3)

        // A load with no lifetime is never kept.
        let uncached = RefreshingValue<Int>(lifetime: .zero)
        let before = loads.total
        _ = try await uncached.get(load)
        _ = try await uncached.get(load)
        XCTAssertEqual(loads.total, before + 2)
    }

    func testCallersArrivingTogetherShareOneLoadAndAnInvalidatedLoadIsNotKept() async throws {
        let loads = Loads()
        let cache = RefreshingValue<Int>(lifetime: .seconds(60))
        let slow: @Sendable (Int?) async throws -> Int = { _ in
            try await Task.sleep(for: .milliseconds(100))
            return loads.next()
        }
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.get(slow) } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(values), [1], "twenty callers at once: one load, one value")

        // A load that began before the source changed must not be kept as fresh.
        await cache.invalidate()
        async let inFlight = cache.get(slow)
        try await Task.sleep(for: .milliseconds(20))
        await cache.invalidate()
        let fromBefore = try await inFlight
        XCTAssertEqual(fromBefore, 2)
        let afterChange = try await cache.get { _ in loads.next() }
        XCTAssertEqual(afterChange, 3, "the load from before the change was not kept")
    }
}
