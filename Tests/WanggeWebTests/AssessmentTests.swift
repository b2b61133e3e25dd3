import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Rollups, rates, rankings and the pages built on them, through the real API on both databases.
final class AssessmentTests: XCTestCase {
    /// Reports a citizen case at a grid's centre; returns its code.
    func report(_ t: TestContext, grid: String, category: String? = nil, description: String = "路灯不亮,晚上很黑") async throws -> String {
        let spot = try t.centre(of: grid)
        var body: [String: Any] = ["channel": "citizen", "description": description, "location": ["lat": spot.lat, "lon": spot.lon]]
        if let category { body["categoryCode"] = category }
        let r = try await t.report(body)
        XCTAssertEqual(r.status, .created, "\(r.json)")
        return try XCTUnwrap(r.json["code"] as? String)
    }

    func summary(_ t: TestContext, area: String, token: String) async throws -> [String: Any] {
        let r = try await t.api(.GET, "/api/v1/assessment/summary?area=\(area)", token: token)
        XCTAssertEqual(r.status, .ok, r.body)
        return try r.body.json()
    }

    func rates(_ json: [String: Any]) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: (json["rates"] as? [[String: Any]] ?? []).map { ($0["rate"] as! String, $0["value"] as? Double) })
    }

    /// Four cases walked by hand; every count and rate below is worked out on paper.
    func testRatesOnAHandMadeFixtureEqualHandComputedValues() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            let zj = try await t.token("handler-zj")
            let grid1 = try await t.token("grid1")
            // A: the whole loop, rated 满意.
            let a = try await report(t, grid: "330110001001-01", category: "0101")
            try await t.act(a, "register", token: dispatcher)
            try await t.act(a, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(a, "accept", token: cg)
            try await t.act(a, "submit_result", token: cg, ["result": "已修复"])
            try await t.act(a, "verify_pass", token: grid1)
            try await t.act(a, "return_visit", token: dispatcher, ["rating": "satisfied"])
            try await t.act(a, "close", token: dispatcher)
            // B: returned by 城管 to the centre, sent to 住建, reworked once, rated 基本满意.
            let b = try await report(t, grid: "330110001001-01", category: "0101")
            try await t.act(b, "register", token: dispatcher)
            try await t.act(b, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(b, "return", token: cg, ["note": "不属于本局职责"])
            try await t.act(b, "dispatch", token: dispatcher, ["departmentCode": "330110-ZJ"])
            try await t.act(b, "accept", token: zj)
            try await t.act(b, "submit_result", token: zj, ["result": "已处理"])
            try await t.act(b, "verify_fail", token: grid1, ["note": "现场仍未修好"])
            try await t.act(b, "submit_result", token: zj, ["result": "已彻底修好"])
            try await t.act(b, "verify_pass", token: grid1)
            try await t.act(b, "return_visit", token: dispatcher, ["rating": "basically_satisfied"])
            try await t.act(b, "close", token: dispatcher)
            // C: registered, still open. D: rejected.
            let c = try await report(t, grid: "330110001002-01")
            try await t.act(c, "register", token: dispatcher, ["categoryCode": "0102"])
            let d = try await report(t, grid: "330110001002-01")
            try await t.act(d, "reject", token: dispatcher, ["note": "不属于受理范围"])

            let leader = try await t.token("leader")
            let county = try await summary(t, area: "330110", token: leader)
            let counts = try XCTUnwrap(county["counts"] as? [String: Int])
            XCTAssertEqual(counts["received"], 4)
            XCTAssertEqual(counts["registered"], 3)
            XCTAssertEqual(counts["dispatched"], 3, "A once, B twice")
            XCTAssertEqual(counts["respondedInTime"], 3)
            XCTAssertEqual(counts["returned"], 1)
            XCTAssertEqual(counts["reworked"], 1)
            XCTAssertEqual(counts["closed"], 2)
            XCTAssertEqual(counts["closedOnTime"], 2)
            XCTAssertEqual(counts["satisfied"], 1)
            XCTAssertEqual(counts["basicallySatisfied"], 1)
            XCTAssertEqual(counts["overdue"], 0)
            XCTAssertEqual(county["open"] as? Int, 1, "only C is still open")
            let r = rates(county)
            XCTAssertEqual(r["response"] ?? nil, 1.0)
            XCTAssertEqual(r["resolution"]!!, 2.0 / 3.0, accuracy: 1e-12)
            XCTAssertEqual(r["onTime"] ?? nil, 1.0)
            XCTAssertEqual(r["satisfaction"]!!, (1 + 0.8) / 2, accuracy: 1e-12, "基本满意 weighs 0.8 by default")
            XCTAssertEqual(r["rework"]!!, 1.0 / 3.0, accuracy: 1e-12)
            XCTAssertEqual(r["returnRate"]!!, 1.0 / 3.0, accuracy: 1e-12)
            XCTAssertEqual(r["overdueRate"] ?? nil, 0.0)

            // The village of A and B holds their figures; the other village only C and D.
            let village = try await summary(t, area: "330110001002", token: leader)
            XCTAssertEqual((village["counts"] as? [String: Int])?["received"], 2)
            XCTAssertEqual((village["counts"] as? [String: Int])?["closed"], 0)
            XCTAssertNil(rates(village)["satisfaction"] ?? nil, "nobody rated there: no figure, not 0%")

            // Departments: 城管 got two, returned one, closed one; 住建 got one and closed it.
            let departments = try await t.api(.GET, "/api/v1/assessment/rankings?area=330110&level=department&rate=returnRate", token: leader).body.json()
            let items = try XCTUnwrap(departments["items"] as? [[String: Any]])
            let cgRow = try XCTUnwrap(items.first { $0["code"] as? String == "330110-CG" })
            XCTAssertEqual((cgRow["counts"] as? [String: Int])?["dispatched"], 2)
            XCTAssertEqual((cgRow["counts"] as? [String: Int])?["returned"], 1)
            XCTAssertEqual(cgRow["value"] as? Double ?? -1, 0.5, accuracy: 1e-12)
            let zjRow = try XCTUnwrap(items.first { $0["code"] as? String == "330110-ZJ" })
            XCTAssertEqual((zjRow["counts"] as? [String: Int])?["closed"], 1)
            XCTAssertEqual((zjRow["counts"] as? [String: Int])?["reworked"], 1)
            XCTAssertEqual(items.first?["code"] as? String, "330110-ZJ", "退回率: lower is better, 住建 (0%) before 城管 (50%)")

            // An admin weighs 基本满意 at 0.5: the satisfaction rate follows.
            let admin = try await t.token("admin")
            var settings = try await t.api(.GET, "/api/v1/assessment/settings", token: admin).body.json()
            settings["basicallySatisfiedWeight"] = 0.5
            let put = try await t.raw(.PUT, "/api/v1/assessment/settings", token: admin,
                                      body: ByteBuffer(data: JSONSerialization.data(withJSONObject: settings)), contentType: .json)
            XCTAssertEqual(put.status, .ok, "\(put.json)")
            let reweighed = rates(try await summary(t, area: "330110", token: leader))
            XCTAssertEqual(reweighed["satisfaction"]!!, 0.75, accuracy: 1e-12)
            settings["basicallySatisfiedWeight"] = 1.5
            let refused = try await t.raw(.PUT, "/api/v1/assessment/settings", token: admin,
                                          body: ByteBuffer(data: JSONSerialization.data(withJSONObject: settings)), contentType: .json)
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(((refused.json["error"] as? [String: Any])?["code"]) as? String, "assessment.weight")

            let differences = try await t.rollupDifferences()
            XCTAssertEqual(differences, [], "[\(t.database)] the maintained rollups equal a recount of the event log")
        }
    }

    /// The dashboard's trend, its categories and the index's history read the rollups' counters by position, each in its
    /// place: today's counts by day, the month's by month and the month's categories summed come out as the period's
    /// totals, and those as the loop walked them.
    func testTheTrendTheCategoriesAndTheHistoryCountAsTheTotalsDo() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let (cg, grid1) = (try await t.token("handler-cg"), try await t.token("grid1"))
            let a = try await report(t, grid: "330110001001-01", category: "0101")
            for (action, token, fields) in [("register", dispatcher, [:]), ("dispatch", dispatcher, ["departmentCode": "330110-CG"]),
                                            ("accept", cg, [:]), ("submit_result", cg, ["result": "已修复"]), ("verify_pass", grid1, [:]),
                                            ("return_visit", dispatcher, ["rating": "satisfied"]), ("close", dispatcher, [:])] as [(String, String, [String: String])] {
                try await t.act(a, action, token: token, fields)
            }
            let b = try await report(t, grid: "330110001001-01", category: "0101")
            try await t.act(b, "reject", token: dispatcher, ["note": "不属于受理范围"])
            let c = try await report(t, grid: "330110001002-01", category: "0102")
            try await t.act(c, "register", token: dispatcher)

            let queries = AssessmentQueries(db: t.app.db)
            let (today, month) = RollupKeys.periods(t.clock.now, timeZone: t.app.wanggeConfig.timeZone)
            let monthPeriod = try XCTUnwrap(AssessmentPeriod.of(.month, containing: today))
            func check(_ path: String) async throws {
                let totals = try await queries.totals(.org, "330110", monthPeriod)
                XCTAssertEqual([totals.received, totals.registered, totals.dispatched, totals.closed, totals.satisfied], [3, 2, 1, 1, 1],
                               "[\(t.database) \(path)] \(totals)")
                let daily = try await queries.daily(.org, "330110", days: [today])
                XCTAssertEqual(daily.map(\.day), [today])
                XCTAssertEqual(daily.first?.counts, totals, "[\(t.database) \(path)] the trend's day")
                let history = try await queries.monthly(.org, "330110", months: [month])
                XCTAssertEqual(history, [month: totals], "[\(t.database) \(path)] the index's month")
                let categories = try await queries.breakdown(.org, "330110", by: .category, monthPeriod)
                XCTAssertEqual(categories["0101"]?.received, 2, "[\(t.database) \(path)] \(categories)")
                XCTAssertEqual(categories["0101"]?.closed, 1)
                XCTAssertEqual(categories["0102"]?.registered, 1)
                XCTAssertEqual(categories.values.reduce(CaseCounts(), +), totals, "[\(t.database) \(path)] the categories add up to the month")
            }
            try await check("pool")
            // A page's reads on SQLite take the request's direct reader, which reads each row by position.
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            try await SQLiteDirectReader.$current.withValue(reader) { try await check("direct") }
        }
    }

    /// Random walks through the loop (with overdue sweeps): the rollups and gauges kept by each
    /// action equal a from-scratch recount of the event log, every time.
    func testRollupsEqualARecountAfterRandomActions() async throws {
        try await withApp { t in
            var random = SplitMix64(seed: 20261123)
            func chance(_ p: Double) -> Bool { random.nextUnit() < p }
            func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
            let grids = Array(DemoCounty.gridCodes.enumerated().filter { $0.element.hasPrefix("330110001") || $0.element.hasPrefix("330110002") })
            let dispatchers = ["330110001": try await t.token("dispatcher-dh"), "330110002": try await t.token("dispatcher-ns"),
                               "330110": try await t.token("dispatcher")]
            let handlers = ["330110-CG": try await t.token("handler-cg"), "330110-ZJ": try await t.token("handler-zj")]
            var workers: [String: String] = [:]
            var cases: [(code: String, grid: String, worker: String)] = []
            for _ in 0..<16 {
                let (index, grid) = pick(grids)
                let worker = "grid\(index + 1)"
                if workers[worker] == nil { workers[worker] = try await t.token(worker) }
                if chance(0.3) {
                    // A grid worker's patrol report, sometimes fixed on the spot.
                    var body: [String: Any] = ["channel": "patrol", "description": "巡查发现占道经营", "gridCode": grid, "categoryCode": "0201"]
                    if chance(0.4) { body["resolvedOnSpot"] = true; body["result"] = "已劝离" }
                    let r = try await t.report(body, token: workers[worker])
                    XCTAssertEqual(r.status, .created, "\(r.json)")
                    cases.append((try XCTUnwrap(r.json["code"] as? String), grid, worker))
                } else {
                    cases.append((try await report(t, grid: grid, category: chance(0.5) ? "0101" : nil), grid, worker))
                }
            }
            for _ in 0..<200 {
                let c = pick(cases)
                // The centre in charge: the township's, or the county's once the sweep escalated it.
                let json = try await t.caseJSON(c.code, token: dispatchers["330110"]!)
                let dispatcher = dispatchers[(json["centre"] as? [String: Any])?["code"] as? String ?? ""]!
                let lead = (json["leadDepartment"] as? [String: Any])?["code"] as? String
                let assignedGrid = json["assignedGridCode"] as? String
                let assignee = lead.map { handlers[$0]! } ?? workers[c.worker]!
                switch json["state"] as? String {
                case "reported":
                    if chance(0.85) { try await t.act(c.code, "register", token: dispatcher, ["categoryCode": pick(["0101", "0102", "0201"])]) }
                    else { try await t.act(c.code, "reject", token: dispatcher, ["note": "重复反映"]) }
                case "registered":
                    if chance(0.75) { try await t.act(c.code, "dispatch", token: dispatcher, ["departmentCode": pick(["330110-CG", "330110-ZJ"])]) }
                    else { try await t.act(c.code, "dispatch", token: dispatcher, ["gridCode": c.grid]) }
                case "dispatched":
                    if chance(0.2), lead != nil { try await t.act(c.code, "return", token: assignee, ["note": "职责不符"]) }
                    else { try await t.act(c.code, "accept", token: assignedGrid != nil ? workers[c.worker]! : assignee) }
                case "in_progress":
                    try await t.act(c.code, "submit_result", token: assignedGrid != nil ? workers[c.worker]! : assignee, ["result": "已处理"])
                case "handled":
                    // 核查 by someone other than whoever did the work: the grid worker for a department's result, else the centre.
                    let verifier = lead != nil ? workers[c.worker]! : dispatcher
                    if chance(0.25) { try await t.act(c.code, "verify_fail", token: verifier, ["note": "未达标"]) }
                    else { try await t.act(c.code, "verify_pass", token: verifier) }
                case "verified":
                    if chance(0.8) { try await t.act(c.code, "return_visit", token: dispatcher, ["rating": pick(["satisfied", "basically_satisfied", "unsatisfied"])]) }
                    else { try await t.act(c.code, "close", token: dispatcher, ["note": "无法联系报告人"]) }
                case "evaluated":
                    if json["rating"] as? String == "unsatisfied", chance(0.5) { try await t.act(c.code, "reopen", token: dispatcher) }
                    else { try await t.act(c.code, "close", token: dispatcher) }
                default:
                    break
                }
                // Time passes; now and then the sweep lights red lamps, and days roll over.
                t.clock.advance(Double(random.next() % 7200))
                if chance(0.1) {
                    t.clock.advance(26 * 3600)
                    _ = try await t.app.sweep(now: t.clock.now)
                }
            }
            let rebuild = RollupRebuild(db: t.app.db, timeZone: t.app.wanggeConfig.timeZone)
            let recount = try await rebuild.recount()
            XCTAssertGreaterThan(recount.events, 100)
            let differences = try await rebuild.differences(recount)
            XCTAssertEqual(differences, [], "[\(t.database)]\n" + differences.joined(separator: "\n"))
            // And the county's received count is the number of cases.
            let county = recount.rollups.values.filter { $0.key.dimension == .org && $0.key.unitCode == "330110" && $0.key.periodKind == .day
                && $0.key.categoryCode == "" && $0.key.channel == "" }
            XCTAssertEqual(county.reduce(0) { $0 + $1.counts.received }, cases.count)
            let total = county.reduce(CaseCounts()) { $0 + $1.counts }
            XCTAssertGreaterThan(total.overdue, 0, "the walk lit red lamps")
            XCTAssertGreaterThan(total.closed, 0)
            XCTAssertGreaterThan(total.evaluated, 0)
            // A rebuild replaces the rows with the same numbers.
            try await rebuild.replace(with: recount)
            let again = try await rebuild.differences(try await rebuild.recount())
            XCTAssertEqual(again, [])
        }
    }

    /// A township's people see their own subtree: its villages in rankings, nothing of the neighbour.
    func testAnAreaSeesOnlyItsOwnSubtree() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let code = try await report(t, grid: "330110002001-01")
            let ns = try await t.token("dispatcher-ns")
            try await t.act(code, "register", token: ns)
            _ = dispatcher
            let leaderDH = try await t.token("leader-dh")
            let other = try await t.api(.GET, "/api/v1/assessment/summary?area=330110002", token: leaderDH)
            XCTAssertEqual(other.status, .notFound, "another township's figures do not exist for 东湖's leader")
            let own = try await summary(t, area: "330110001", token: leaderDH)
            XCTAssertEqual((own["counts"] as? [String: Int])?["received"], 0)
            let ranking = try await t.api(.GET, "/api/v1/assessment/rankings?level=village", token: leaderDH).body.json()
            let villages = (ranking["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertEqual(Set(villages), ["330110001001", "330110001002", "330110001003"])
            let countyLevel = try await t.api(.GET, "/api/v1/assessment/rankings?level=township", token: leaderDH)
            XCTAssertEqual(countyLevel.status, .badRequest, "a township has no townships below it")
            let leader = try await t.token("leader")
            let townships = try await t.api(.GET, "/api/v1/assessment/rankings?level=township&rate=response", token: leader).body.json()
            let rows = try XCTUnwrap(townships["items"] as? [[String: Any]])
            XCTAssertEqual(rows.map { $0["code"] as? String }, ["330110002", "330110001", "330110003"],
                           "南山 has a figure (100%); the two without one follow by code")
            let handler = try await t.token("handler-cg")
            let refused = try await t.api(.GET, "/api/v1/assessment/summary", token: handler)
            XCTAssertEqual(refused.status, .forbidden)
            let badPeriod = try await t.api(.GET, "/api/v1/assessment/summary?period=2026-13", token: leader)
            XCTAssertEqual(badPeriod.status, .badRequest)
            XCTAssertTrue(badPeriod.body.contains("期间格式"), badPeriod.body)
        }
    }

    /// The pages a leader opens: the big screen, the ranking, the index, the report and its files.
    func testDashboardRankingIndexAndReportPages() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            for _ in 0..<3 {
                let code = try await report(t, grid: "330110001001-01", category: "0101")
                try await t.act(code, "register", token: dispatcher)
            }
            var browser = Browser()
            try await t.signIn("leader", &browser)
            let (status, dashboard, _) = try await t.get("/dashboard", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(dashboard.contains("http-equiv=\"refresh\""), "the big screen refreshes itself")
            XCTAssertTrue(dashboard.contains("class=\"gauge-map\""), "a map of grids")
            XCTAssertTrue(dashboard.contains("近 30 日受理与结案"))
            XCTAssertTrue(dashboard.contains("湖滨社区第一网格") && dashboard.contains("3 件"), "three similar reports in one grid are a hot spot")
            XCTAssertFalse(dashboard.contains("<script src=\"http"), "nothing from a CDN")

            let (_, ranking, _) = try await t.get("/assessment?level=village&rate=response", &browser)
            XCTAssertTrue(ranking.contains("红榜") && ranking.contains("黑榜"))
            XCTAssertTrue(ranking.contains("在响应时限内签收或立案的事件数"), "each rate is explained")
            // Every rate in the table, the satisfaction rate with the weight of 基本满意; the choices made stay chosen; the
            // boards link each village down; the crumbs end on the area in bold.
            XCTAssertEqual(ranking.matches(of: /<tr data-rate="([A-Za-z_]+)">/).map { String($0.1) }, Rate.allCases.map(\.rawValue))
            let weighted = ranking.matches(of: /<tr data-rate="([A-Za-z_]+)"><th scope="row">[^<]*<\/th>(?:<td class="num">[^<]*<\/td>){2}<td class="explain">[^<]*\(基本满意权重 ([0-9.]+)\)<\/td><\/tr>/)
            XCTAssertEqual(weighted.map { "\($0.1) \($0.2)" }, ["satisfaction 0.80"], "the weight beside satisfaction alone")
            XCTAssertEqual(ranking.matches(of: /<option value="([A-Za-z_]+)" selected>/).map { String($0.1) }.filter { $0 != "2026" }.suffix(2), ["village", "response"])
            let board = try XCTUnwrap(ranking.firstMatch(of: /<section class="board red-board"><h2>[^<]*<\/h2><ol>(.*?)<\/ol>/)?.1)
            XCTAssertTrue(board.contains(#"<li><a href="/assessment?area=330110001001&amp;period="#), String(board))
            XCTAssertTrue(ranking.contains(#"<nav class="crumbs" aria-label="area"><strong>"#), "the county is the area, in bold")
            let (_, index, _) = try await t.get("/assessment/index", &browser)
            XCTAssertTrue(index.contains("指标树") && index.contains("<svg"))
            // The index for each unit below the area: the county's townships in code order, on the page and in the API.
            let townships = try await OrgUnitModel.query(on: t.app.db).filter(\.$level == OrgLevel.township.rawValue).sort(\.$code).all()
            XCTAssertGreaterThan(townships.count, 1)
            let unitLinks = index.matches(of: /href="\/assessment\/index\?area=([0-9]+)&amp;[^"]*">([^<]+)</)
                .map { "\($0.output.1) \($0.output.2)" }.filter { !$0.hasPrefix("330110 ") }
            XCTAssertEqual(unitLinks, townships.map { "\($0.code) \($0.name)" }, "the index page's units (the tree's own links aside)")
            let indexAPI = try await t.api(.GET, "/api/v1/assessment/index?area=330110", token: t.token("leader")).body.json()
            let apiUnits = try XCTUnwrap(indexAPI["children"] as? [[String: Any]])
            XCTAssertEqual(apiUnits.map { "\($0["code"] ?? "") \($0["name"] ?? "")" }, townships.map { "\($0.code) \($0.name)" })
            let (_, page, _) = try await t.get("/reports?area=330110001", &browser)
            XCTAssertTrue(page.contains("东湖街道") && page.contains("月报") && page.contains("分区域"))
            // The way up names the county; the way down and the areas' table list the township's villages in code order.
            let foundTownship = try await OrgUnitModel.query(on: t.app.db).filter(\.$code == "330110001").first()
            let foundCounty = try await OrgUnitModel.query(on: t.app.db).filter(\.$code == "330110").first()
            let (township, county) = (try XCTUnwrap(foundTownship), try XCTUnwrap(foundCounty))
            let villages = try await OrgUnitModel.query(on: t.app.db).filter(\.$parent.$id == township.requireID()).sort(\.$code).all()
            XCTAssertGreaterThan(villages.count, 1)
            let period = try XCTUnwrap(page.firstMatch(of: /<option value="([^"]+)" selected>/)?.output.1)
            XCTAssertTrue(page.contains("<a href=\"/reports?area=330110&amp;period=\(period)\">\(county.name)</a> ›"), "the way up")
            let down = villages.map { "<a href=\"/reports?area=\($0.code)&amp;period=\(period)\">\($0.name)</a> " }.joined()
            XCTAssertTrue(page.contains("下级:" + down + "</p>"), "the way down: \(down)")
            let unitsTable = try XCTUnwrap(page.firstRange(of: "<h2>分区域</h2>").map { page[$0.upperBound...] })
            let tableNames = unitsTable.matches(of: /<tr><td>([^<]+)<\/td>/).map { String($0.output.1) }
            XCTAssertEqual(Array(tableNames.prefix(villages.count + 1)), villages.map(\.name) + ["合计"], "the areas' table")

            let (csvStatus, _, csvHeaders) = try await t.get("/reports/export.csv?area=330110001&table=units", &browser)
            XCTAssertEqual(csvStatus, .ok)
            XCTAssertTrue(csvHeaders.first(name: .contentType)?.hasPrefix("text/csv") ?? false)
            var csvBytes = Data()
            try await t.app.test(.GET, "/reports/export.csv?area=330110001&table=units", beforeRequest: { req in
                req.headers.replaceOrAdd(name: .cookie, value: browser.cookieHeader)
            }, afterResponse: { res async in csvBytes = Data(buffer: res.body) })
            XCTAssertEqual(Array(csvBytes.prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with BOM, so Excel reads Chinese")
            let csv = String(decoding: csvBytes.dropFirst(3), as: UTF8.self)
            XCTAssertTrue(csv.hasPrefix("名称,受理,立案"), csv)
            XCTAssertTrue(csv.contains("湖滨社区,3,3"), csv)
            var xlsx = Data()
            try await t.app.test(.GET, "/reports/export.xlsx?area=330110001", beforeRequest: { req in
                req.headers.replaceOrAdd(name: .cookie, value: browser.cookieHeader)
            }, afterResponse: { res async in xlsx = Data(buffer: res.body) })
            XCTAssertEqual(Array(xlsx.prefix(2)), [0x50, 0x4B], "a ZIP (XLSX) file")
            XCTAssertNotNil(xlsx.range(of: Data("xl/worksheets/sheet2.xml".utf8)))
            let (bad, _, _) = try await t.get("/reports/export.csv?table=nope", &browser)
            XCTAssertEqual(bad, .badRequest)

            // A name with markup in it shows as text in the report's tables, never as markup.
            villages[0].name = "湖滨<b>&'社区\""
            try await villages[0].save(on: t.app.db)
            let (_, renamed, _) = try await t.get("/reports?area=330110001", &browser)
            let renamedTable = try XCTUnwrap(renamed.firstRange(of: "<h2>分区域</h2>").map { renamed[$0.upperBound...] })
            XCTAssertTrue(renamedTable.contains("<tr><td>湖滨&lt;b&gt;&amp;&#39;社区&quot;</td>"), String(renamedTable.prefix(600)))
            XCTAssertFalse(renamed.contains("<b>&"))
        }
    }

    /// An admin edits the index; a broken definition is refused with the reasons in Chinese.
    func testAdminEditsTheIndexDefinition() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (status, form, _) = try await t.get("/admin/assessment", &browser)
            XCTAssertEqual(status, .ok)
            let csrf = try XCTUnwrap(Browser.csrf(in: form))
            let (refused, body, _) = try await t.post("/admin/assessment", ["_csrf": csrf, "weight": "0.8",
                                                                            "index": #"{"nameZH":"","root":{"id":"Bad Id","nameZH":"x","weight":0,"children":[]}}"#], &browser)
            XCTAssertEqual(refused, .badRequest)
            XCTAssertTrue(body.contains("权重") || body.contains("名称"), body)
            let definition = IndexDefinition(nameZH: "红棉指数", root: IndexNode(id: "root", nameZH: "红棉指数", weight: 1, children: [
                IndexNode(id: "sat", nameZH: "满意", weight: 1, children: [], leaf: IndexLeaf(metric: .rate(.satisfaction), worst: 0.5, best: 1)),
            ], leaf: nil))
            let json = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
            let (saved, _, headers) = try await t.post("/admin/assessment", ["_csrf": csrf, "weight": "0.6", "index": json], &browser)
            XCTAssertEqual(saved, .seeOther)
            XCTAssertEqual(headers.first(name: .location), "/admin/assessment?notice=saved")
            let settings = try await AssessmentSettings.load(on: t.app.db)
            XCTAssertEqual(settings.index.nameZH, "红棉指数")
            XCTAssertEqual(settings.basicallySatisfiedWeight, 0.6)
        }
    }
}
