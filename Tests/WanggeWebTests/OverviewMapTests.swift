import Foundation
import SQLKit
import WanggeDomain
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// The overview's map shows the area's newest open cases, and reads only their rows.
final class OverviewMapTests: XCTestCase {
    func testTheMapTakesTheAreasNewestOpenCasesNewestFirst() async throws {
        try await withApp { t in
            var codes: [String] = []
            for grid in ["330110001001-01", "330110002001-01", "330110001002-01", "330110001001-02", "330110001001-01"] {
                let spot = try t.centre(of: grid)
                let r = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append(try XCTUnwrap(r.json["code"] as? String, "\(r.json)"))
            }
            let dispatcher = try await t.token("dispatcher")
            try await t.act(codes[4], "reject", token: dispatcher, ["note": "不属于受理范围"])
            // Open cases in three states, so the newest come from more than one state's entries (PostgreSQL merges them).
            try await t.act(codes[2], "register", token: dispatcher)
            try await t.act(codes[0], "register", token: dispatcher)
            try await t.act(codes[0], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            let queries = CaseQueryService(db: t.app.db)
            let county = try await queries.newestOpen(within: OrgScope(level: .county, code: "330110"), limit: 3)
            XCTAssertEqual(county.map(\.code), [codes[3], codes[2], codes[1]], "the rejected case is not open")
            let township = try await queries.newestOpen(within: OrgScope(level: .township, code: "330110001"), limit: 10)
            XCTAssertEqual(township.map(\.code), [codes[3], codes[2], codes[0]], "another township's case is not in it")
            XCTAssertEqual(township.map(\.state), ["reported", "registered", "dispatched"])
            let village = try await queries.newestOpen(within: OrgScope(level: .village, code: "330110001001"), limit: 10)
            XCTAssertEqual(village.map(\.code), [codes[3], codes[0]], "a village's map holds its own grids' cases")
            let grid = try await queries.newestOpen(within: OrgScope(level: .grid, code: "330110001001-01"), limit: 10)
            XCTAssertEqual(grid.map(\.code), [codes[0]], "a grid's map holds its own cases")
            let clocked = try await queries.newestOpen(within: OrgScope(level: .township, code: "330110001"), limit: 10, clocks: true)
            XCTAssertEqual(clocked.map(\.code), township.map(\.code), "read with their clocks, the same cases")
            XCTAssertTrue(clocked.allSatisfy { $0.deadlinesJSON != nil })
            guard t.database == .sqlite else { return }
            // A request's reads make the points straight from SQLite's statement: the same points, every field, as the pool's rows.
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            func fields(_ p: CaseMapPoint) -> String {
                "\(p.code) \(p.state) \(p.gridCode ?? "-") \(p.lat ?? 0) \(p.lon ?? 0) \(p.blueAt ?? .distantPast) \(p.yellowAt ?? .distantPast) " +
                    "\(p.dueAt ?? .distantPast) \(p.unitCode ?? "-") \(p.deadlinesJSON ?? "-")"
            }
            for (scope, clocks) in [(OrgScope(level: .county, code: "330110"), false), (OrgScope(level: .township, code: "330110001"), true)] {
                let pooled = try await queries.newestOpen(within: scope, limit: 10, clocks: clocks)
                let direct = try await SQLiteDirectReader.$current.withValue(reader) { try await queries.newestOpen(within: scope, limit: 10, clocks: clocks) }
                XCTAssertEqual(direct.map(fields), pooled.map(fields), "\(scope.code) clocks: \(clocks)")
                XCTAssertEqual(direct.count, scope.level == .county ? 4 : 3, "the open cases of the area")
                XCTAssertTrue(direct.allSatisfy { $0.dueAt != nil && $0.lat != nil && $0.gridCode != nil && $0.unitCode != nil }, "the fields are read, not left empty")
            }
            // Below a city the map's cases are read whole from the open cases' index (migration 027), newest first, no
            // case's row read and nothing sorted; with their clocks, the ids come from the area's index and the rows by id.
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for scope in [OrgScope(level: .county, code: "330110"), OrgScope(level: .township, code: "330110001"),
                          OrgScope(level: .grid, code: "330110001001-01")] {
                let columns = CaseMapPoint.columns(clocks: false, unit: CaseQueryService.unitLevel(below: scope.level))
                let plan = try await sql.queryPlan(CaseQueryService.newestOpenFromIndex(within: scope, limit: 5000, columns: columns))
                XCTAssertTrue(plan.contains("COVERING INDEX \(IndexOpenCasesNewestFirst.index)"), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
                XCTAssertEqual(Set(columns).subtracting(IndexOpenCasesNewestFirst.columns), [], "the index holds what the map shows")
                let ids = try await sql.queryPlan(CaseQueryService.newestOpenIDs(within: scope, limit: 5000))
                XCTAssertTrue(ids.contains("COVERING INDEX idx_cases_\(scope.level.rawValue)_code_state_id"), ids)
            }
        }
    }

    /// The overview's counts beside its map are tallied from the map's points when those are every open case of the
    /// area, and come out as the grouped reads give them: each state's cases, and each unit's red, yellow and blue, for
    /// a county, a township, a village and a grid. A map holding only the newest (the limit reached) reads them instead.
    func testTheCountsTalliedFromTheMapAreTheCountsRead() async throws {
        try await withApp { t in
            t.clock.now = SLATests.monday
            let dispatcher = try await t.token("dispatcher")
            // Reported 70, 50, 35 and 15 minutes before the counts, against an hour to be accepted: red, yellow, blue
            // and none; then a registered case and a rejected one.
            let grids = ["330110001001-01", "330110002001-01", "330110001002-01", "330110001001-02", "330110001001-01", "330110001001-02"]
            var codes: [String] = []
            for (grid, minutes) in zip(grids, [0, 20, 35, 55, 60, 60]) {
                t.clock.now = SLATests.monday.addingTimeInterval(Double(minutes * 60))
                let spot = try t.centre(of: grid)
                let r = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append(try XCTUnwrap(r.json["code"] as? String, "\(r.json)"))
            }
            try await t.act(codes[4], "register", token: dispatcher)
            try await t.act(codes[5], "reject", token: dispatcher, ["note": "不属于受理范围"])
            t.clock.now = SLATests.monday.addingTimeInterval(70 * 60)
            let queries = CaseQueryService(db: t.app.db)
            let county = OrgScope(level: .county, code: "330110")
            let glance = try await queries.openAtAGlance(within: county, limit: 5000, clocks: false, now: t.clock.now)
            XCTAssertEqual(glance.newest.count, 5, "[\(t.database)] every open case")
            XCTAssertEqual(glance.units.map(\.code).prefix(2), ["330110001", "330110002"])
            XCTAssertEqual([glance.units.map(\.red).reduce(0, +), glance.units.map(\.yellow).reduce(0, +), glance.units.map(\.blue).reduce(0, +)],
                           [1, 1, 1], "[\(t.database)] one case of each colour: \(glance.units)")
            XCTAssertEqual(glance.red, 1)
            XCTAssertEqual(glance.inStates, [.reported: 4, .registered: 1, .rejected: 1])
            func described(_ units: [CaseQueryService.UnitWarnings]) -> [String] { units.map { "\($0.code) \($0.red) \($0.yellow) \($0.blue)" } }
            for scope in [county, OrgScope(level: .township, code: "330110001"), OrgScope(level: .village, code: "330110001001"),
                          OrgScope(level: .grid, code: "330110001001-01"), OrgScope(level: .grid, code: "330110002001-01")] {
                let tallied = try await queries.openAtAGlance(within: scope, limit: 5000, clocks: false, now: t.clock.now)
                let (units, red) = try await queries.warningCounts(below: scope.code, now: t.clock.now)
                let inStates = try await queries.stateCounts(within: scope)
                XCTAssertEqual(described(tallied.units), described(units), "[\(t.database)] \(scope.code)")
                XCTAssertEqual(tallied.red, red, "[\(t.database)] \(scope.code)")
                XCTAssertEqual(tallied.inStates, inStates, "[\(t.database)] \(scope.code)")
                XCTAssertLessThan(tallied.newest.count, 5000)
                // With the limit reached the map holds only the newest, and the counts are read: the same.
                let read = try await queries.openAtAGlance(within: scope, limit: 1, clocks: false, now: t.clock.now)
                XCTAssertEqual(read.newest.count, min(1, tallied.newest.count))
                XCTAssertEqual(described(read.units), described(units), "[\(t.database)] \(scope.code)")
                XCTAssertEqual(read.inStates, inStates, "[\(t.database)] \(scope.code)")
            }
            let village = try await queries.openAtAGlance(within: OrgScope(level: .village, code: "330110001001"), limit: 5000, clocks: false,
                                                          now: t.clock.now)
            XCTAssertEqual(described(village.units), ["330110001001-01 1 0 0", "330110001001-02 0 0 0", "330110001001-03 0 0 0"], "[\(t.database)] by grid, each grid of the village")
            // PostgreSQL merges each state's newest: a grid's map counts by the grid column it already shows.
            let grid = try await queries.openAtAGlance(within: OrgScope(level: .grid, code: "330110001001-01"), limit: 5000, clocks: true,
                                                       now: t.clock.now)
            XCTAssertEqual(grid.newest.map(\.code), [codes[4], codes[0]])
            XCTAssertEqual(grid.newest.map(\.unitCode), ["330110001001-01", "330110001001-01"])
        }
    }

    /// The overview's map draws every grid of the dispatcher's county once, with its name, the same at every view: the
    /// outlines the map cache writes once are the ones a map drawn afresh writes.
    func testTheOverviewDrawsEachGridOnceFromOutlinesWrittenOnce() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            func map(_ page: String) throws -> Substring { try page.part(from: "<svg", to: "</svg>") }
            let (status, first, _) = try await t.get("/overview", &browser)
            XCTAssertEqual(status, .ok)
            let grids = DemoCounty.units.filter { $0.level == .grid }
            XCTAssertEqual(try map(first).components(separatedBy: "<path class=\"grid\"").count - 1, grids.count, "one outline a grid")
            for grid in grids { XCTAssertTrue(try map(first).contains("<title>\(grid.name)</title></path>"), grid.name) }
            let (_, second, _) = try await t.get("/overview", &browser)
            XCTAssertEqual(try map(second), try map(first))

            let cached = try await t.app.gridShapeCache.map(of: [], width: CaseMapSVG.width, height: CaseMapSVG.height, on: t.app.db)
            XCTAssertNotNil(cached.caseMapOutlines, "written when the map was projected")
            var fresh = cached
            fresh.caseMapOutlines = nil
            XCTAssertEqual(CaseMapSVG.render(cached, markers: [], title: "地图"), CaseMapSVG.render(fresh, markers: [], title: "地图"))
        }
    }
}
