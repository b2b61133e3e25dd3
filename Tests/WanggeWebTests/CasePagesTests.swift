import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class CasePagesTests: XCTestCase {
    func testTheMapStaysLightWithFiveThousandMarkers() {
        let grids = GridShapeCache.ProjectedMap(DemoCounty.units.filter { $0.level == .grid }.map {
            GridLocatorCache.MapGrid(code: $0.code, name: $0.name, ancestry: OrgCode.ancestry(of: $0.code), shape: $0.polygon!)
        }, width: CaseMapSVG.width, height: CaseMapSVG.height)
        var random = SplitMix64(seed: 7)
        let markers = (0..<5000).map { i -> CaseMapSVG.Marker in
            let grid = DemoCounty.units.filter { $0.level == .grid }[i % 24]
            let box = grid.polygon!.bbox
            let point = GeoPoint(lon: box.minLon + (box.maxLon - box.minLon) * (0.3 + 0.4 * random.nextUnit()),
                                 lat: box.minLat + (box.maxLat - box.minLat) * (0.3 + 0.4 * random.nextUnit()))
            return CaseMapSVG.Marker(point: point, warning: i == 17 ? .red : .none, gridCode: grid.code, code: "x", linked: false)
        }
        let svg = CaseMapSVG.render(grids, markers: markers, title: "map")
        XCTAssertLessThan(svg.utf8.count, 60_000, "aggregated by grid, not 5,000 circles")
        XCTAssertEqual(svg.components(separatedBy: "class=\"cluster\"").count - 1, 24)
        let counts = svg.components(separatedBy: "class=\"count\">").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        XCTAssertEqual(counts.count, 24)
        XCTAssertEqual(counts.reduce(0, +), 5000, "each grid's circle counts its markers")
        XCTAssertTrue(svg.contains("<g class=\"cluster\"><circle cx=\""), svg.prefix(400).description)
        XCTAssertTrue(svg.contains(CaseMapSVG.colour(.red)), "a grid with a red case is drawn red")
        let few = CaseMapSVG.render(grids, markers: Array(markers.prefix(10)), title: "map")
        XCTAssertEqual(few.components(separatedBy: "class=\"marker").count - 1, 10, "few markers are drawn one by one")

        // Each grid's circle sits at its centre, its radius growing with the log of its count, its label 4 px lower, in
        // the worst colour of its cases: one grid with one case, one with ten (one yellow), two with two hundred odd.
        let (one, ten, many) = (grids.grids[3], grids.grids[5], grids.grids[0])
        var counted = markers.filter { [many.code, grids.grids[1].code].contains($0.gridCode) }.map { m -> CaseMapSVG.Marker in
            var m = m
            m.warning = .none
            return m
        }
        let manyCount = counted.filter { $0.gridCode == many.code }.count
        counted += markers.filter { $0.gridCode == one.code }.prefix(1)
        counted += markers.filter { $0.gridCode == ten.code }.prefix(10).enumerated().map { i, m in var m = m; m.warning = i == 4 ? .yellow : .blue; return m }
        let drawn = CaseMapSVG.render(grids, markers: counted, title: "map")
        func cluster(_ grid: GridShapeCache.ProjectedMap.Grid, count: Int, colour: String) -> String {
            let (x, y, label) = [grid.centreX, grid.centreY, grid.centreY + 4].map { FixedDecimal.string($0, digits: 1) }.triple
            let r = FixedDecimal.string(min(28, 8 + log2(Double(count)) * 3), digits: 1)
            return "<g class=\"cluster\"><circle cx=\"\(x)\" cy=\"\(y)\" r=\"\(r)\" fill=\"\(colour)\" fill-opacity=\"0.85\"/><text x=\"\(x)\" y=\"\(label)\" text-anchor=\"middle\" class=\"count\">\(count)</text></g>"
        }
        XCTAssertEqual(drawn.components(separatedBy: "class=\"cluster\"").count - 1, 4)
        XCTAssertTrue(drawn.contains(cluster(one, count: 1, colour: "#2e7d32")), drawn.suffix(900).description)
        XCTAssertTrue(drawn.contains(cluster(ten, count: 10, colour: CaseMapSVG.colour(.yellow))), drawn.suffix(900).description)
        XCTAssertTrue(drawn.contains(cluster(many, count: manyCount, colour: "#2e7d32")), drawn.suffix(900).description)
        XCTAssertGreaterThan(manyCount, 128, "past the radii written once")
    }

    /// A dispatcher's case page offers every grid of the area once: registering, with the case's own grid chosen;
    /// dispatching, with none chosen; and a grid renamed a moment ago by its new name.
    func testTheGridChoicesOfferEveryGridOnceAndFollowARename() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-02")
            let report = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周了", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(report.json["code"] as? String)
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            let grids = DemoCounty.units.filter { $0.level == .grid }
            func gridChoices() async throws -> [String] {
                let (status, page, _) = try await t.get("/cases/\(code)", &browser)
                XCTAssertEqual(status, .ok)
                return page.components(separatedBy: "name=\"gridCode\">").dropFirst().map { $0.components(separatedBy: "</select>")[0] }
            }
            func options(_ page: String) -> [String] {
                page.components(separatedBy: "<option value=\"3301").dropFirst().map { String($0.prefix(while: { $0 != "<" })) }
            }

            let registering = try await gridChoices()
            XCTAssertEqual(registering.count, 1, "the register form's grid choice")
            XCTAssertEqual(options(registering[0]).count, grids.count, "every grid once")
            XCTAssertEqual(options(registering[0]).filter { $0.contains("selected") }, ["10001001-02\" selected>湖滨社区第二网格(330110001001-02)"])

            try await t.act(code, "register", token: t.token("dispatcher"))
            let dispatching = try await gridChoices()
            XCTAssertEqual(dispatching.count, 1, "the dispatch form's grid choice")
            XCTAssertEqual(options(dispatching[0]).count, grids.count)
            XCTAssertTrue(options(dispatching[0]).allSatisfy { !$0.contains("selected") }, "none chosen beside the departments")

            let renamed = try await t.api(.PATCH, "/api/v1/org-units/330110001001-02", token: t.token("admin"), json: ["name": "湖滨社区新二网格"])
            XCTAssertEqual(renamed.status, .ok, renamed.body)
            let afterRename = try await gridChoices()
            XCTAssertTrue(options(afterRename[0]).contains("10001001-02\">湖滨社区新二网格(330110001001-02)"), "\(options(afterRename[0]))")
        }
    }

    func testTheDispatcherSeesDuplicatesAndActsThroughTheCasePage() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let first = try await t.report(["channel": "citizen", "description": "井盖缺失第一次反映", "categoryCode": "0101",
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
            let second = try await t.report(["channel": "citizen", "description": "井盖缺失又有人反映", "categoryCode": "0101",
                                             "location": ["lat": spot.lat, "lon": spot.lon + 0.0003]])
            let firstCode = try XCTUnwrap(first.json["code"] as? String)
            let secondCode = try XCTUnwrap(second.json["code"] as? String)
            var browser = Browser()
            try await t.signIn("dispatcher-dh", &browser)
            let (status, page, _) = try await t.get("/cases/\(secondCode)", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(page.contains("附近的相似事件"))
            XCTAssertTrue(page.contains("/cases/\(firstCode)"))
            XCTAssertTrue(page.contains("id=\"form-register\""))
            XCTAssertFalse(page.contains("id=\"form-accept\""), "a dispatcher gets no handler buttons")
            // Registering offers the township's grids, the case's own chosen.
            let township = DemoCounty.units.filter { $0.level == .grid && $0.code.hasPrefix("330110001") }.map(\.code)
            func gridChoices(_ page: String, form: String) -> (all: [String], selected: [String]) {
                guard let start = page.range(of: "<select id=\"\(form)-grid\""),
                      let end = page.range(of: "</select>", range: start.upperBound..<page.endIndex) else { return ([], []) }
                let options = page[start.upperBound..<end.lowerBound].components(separatedBy: "<option value=\"").dropFirst(2)
                return (options.map { String($0.prefix { $0 != "\"" }) }, options.filter { $0.contains("\" selected>") }.map { String($0.prefix { $0 != "\"" }) })
            }
            XCTAssertEqual(gridChoices(page, form: "register").all, township)
            XCTAssertEqual(gridChoices(page, form: "register").selected, ["330110001001-01"])
            let csrf = try XCTUnwrap(Browser.csrf(in: page))
            // Every action form posts the case's version and the page's one CSRF mask.
            func versions(_ page: String) -> Set<String> { Set(page.matches(of: /name="version" value="([0-9]+)"/).map { String($0.1) }) }
            XCTAssertEqual(versions(page), ["1"])
            XCTAssertGreaterThan(page.matches(of: /<form class="action card/).count, 3, "register, reject, merge and a note at least")
            XCTAssertEqual(Set(page.matches(of: /name="_csrf" value="([^"]+)"/).map { String($0.1) }).count, 1, "one mask on the page")

            // A rejection without a reason shows the Chinese message beside that form.
            let (bad, badPage, _) = try await t.post("/cases/\(secondCode)/act", ["_csrf": csrf, "action": "reject"], &browser)
            XCTAssertEqual(bad, .badRequest)
            XCTAssertTrue(badPage.contains("id=\"reject-error\""))
            XCTAssertTrue(badPage.contains("不予受理须填写理由"))
            let (ok, _, headers) = try await t.post("/cases/\(secondCode)/act", ["_csrf": csrf, "action": "register", "version": "1"], &browser)
            XCTAssertEqual(ok, .seeOther)
            XCTAssertEqual(headers.first(name: .location), "/cases/\(secondCode)?notice=actionDone")
            // Dispatching offers a department first, so no grid is chosen for the dispatcher.
            let (_, registeredPage, _) = try await t.get("/cases/\(secondCode)", &browser)
            XCTAssertEqual(versions(registeredPage), ["2"], "the forms post the version registered")
            XCTAssertEqual(gridChoices(registeredPage, form: "dispatch").all, township)
            XCTAssertEqual(gridChoices(registeredPage, form: "dispatch").selected, [])

            // The work list filters by status and category.
            let (_, registered, _) = try await t.get("/work?all=1&status=registered&category=01", &browser)
            XCTAssertTrue(registered.contains(secondCode))
            XCTAssertFalse(registered.contains(">\(firstCode)<"))
            let (_, noise, _) = try await t.get("/work?all=1&category=02", &browser)
            XCTAssertFalse(noise.contains(secondCode))
            // The chosen filters stay chosen in the form (the query string is read once for all of them).
            XCTAssertTrue(registered.contains("<option value=\"registered\" selected>"))
            XCTAssertTrue(registered.contains("<option value=\"01\" selected>"))
            XCTAssertFalse(noise.contains("<option value=\"registered\" selected>"))
            // A key given twice is no flat map of strings: read key by key, the last one counts, for the list and the form alike.
            let (twice, twicePage, _) = try await t.get("/work?all=1&status=registered&status=handled", &browser)
            XCTAssertEqual(twice, .ok)
            XCTAssertFalse(twicePage.contains(secondCode))
            XCTAssertTrue(twicePage.contains("<option value=\"handled\" selected>"))
            XCTAssertFalse(twicePage.contains("<option value=\"registered\" selected>"))
        }
    }

    /// The grid worker's page counts this month's own work: their reports, their on-the-spot
    /// resolutions and their checks on site, passed or failed; not last month's, not a colleague's.
    func testTheGridWorkersPageCountsThisMonthsOwnWork() async throws {
        try await withApp { t in
            let grid1 = try await t.token("grid1")
            let grid = "330110001001-01"
            func patrol(_ token: String, onSpot: Bool, in gridCode: String = "330110001001-01") async throws -> String {
                var body: [String: Any] = ["channel": "patrol", "description": "巡查发现占道经营", "gridCode": gridCode, "categoryCode": "0201"]
                if onSpot { body["resolvedOnSpot"] = true; body["result"] = "已劝离" }
                let r = try await t.report(body, token: token)
                XCTAssertEqual(r.status, .created, "\(r.json)")
                return try XCTUnwrap(r.json["code"] as? String)
            }
            t.clock.now = Self.lateNovember
            _ = try await patrol(grid1, onSpot: true) // last month's
            t.clock.now = Self.lateNovember.addingTimeInterval(10 * 86400) // December
            _ = try await patrol(grid1, onSpot: false)
            _ = try await patrol(grid1, onSpot: false)
            _ = try await patrol(grid1, onSpot: true)
            _ = try await patrol(try await t.token("grid2"), onSpot: true, in: "330110001001-02") // a colleague's
            let spot = try t.centre(of: grid)
            let reported = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "categoryCode": "0101", "location": ["lat": spot.lat, "lon": spot.lon]])
            let citizen = try XCTUnwrap(reported.json["code"] as? String, "\(reported.json)")
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            try await t.act(citizen, "register", token: dispatcher)
            try await t.act(citizen, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(citizen, "accept", token: cg)
            try await t.act(citizen, "submit_result", token: cg, ["result": "已修复"])
            try await t.act(citizen, "verify_fail", token: grid1, ["note": "仍不亮"])
            try await t.act(citizen, "submit_result", token: cg, ["result": "已更换灯泡"])
            try await t.act(citizen, "verify_pass", token: grid1)

            var browser = Browser()
            try await t.signIn("grid1", &browser)
            let (status, page, _) = try await t.get("/grid", &browser)
            XCTAssertEqual(status, .ok)
            let list = try XCTUnwrap(page.range(of: "<ul class=\"figures\">").flatMap { start in page[start.upperBound...].range(of: "</ul>").map { page[start.upperBound..<$0.lowerBound] } })
            let figures = list.components(separatedBy: "<span class=\"n\">").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
            XCTAssertEqual(figures, [3, 1, 2], "reported, resolved on the spot, checked on site: \(list)")
        }
    }

    /// The tracking page tells a citizen what was done and by which body, with the result's note and photo; an internal
    /// note stays internal, and markup in a note shows as text.
    func testTheTrackingPageShowsTheStepsTheResultsNoteAndPhoto() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let reported = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "categoryCode": "0101",
                                               "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(reported.json["code"] as? String)
            let queryCode = try XCTUnwrap(reported.json["queryCode"] as? String)
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            try await t.act(code, "register", token: dispatcher)
            try await t.act(code, "note", token: dispatcher, ["note": "内部备注:请城管优先"])
            try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(code, "accept", token: cg)
            let submitted = try await t.multipart("/api/v1/cases/\(code)/transitions", token: cg,
                                                  fields: [("action", "submit_result"), ("result", "已更换灯泡"), ("note", "<i>灯杆</i>也已加固")],
                                                  files: [Upload(name: "photos[]", filename: "after.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(submitted.status, .ok, "\(submitted.json)")

            var citizen = Browser()
            let (status, page, _) = try await t.get("/track/\(queryCode)", &citizen)
            XCTAssertEqual(status, .ok)
            let timeline = try XCTUnwrap(page.firstMatch(of: /<ol class="timeline">(.*?)<\/ol>/)?.1, page)
            let steps = timeline.matches(of: /<li><strong>([^<]*)<\/strong> · ([^<]*)/).map { "\($0.1) · \($0.2)" }
            let done: [(CaseAction, String)] = [(.report, "群众"), (.register, "综治中心"), (.dispatch, "综治中心"), (.accept, "区城管局"), (.submitResult, "区城管局")]
            XCTAssertEqual(steps, done.map { "\($0.0.nameZH) · \($0.1)" })
            XCTAssertTrue(timeline.contains("<br><span class=\"note\">&lt;i&gt;灯杆&lt;/i&gt;也已加固</span></li>"), String(timeline))
            XCTAssertFalse(page.contains("内部备注"), "an internal note stays internal")
            let photos = page.matches(of: /<img src="([^"]+)" alt="照片" loading="lazy">/).map { String($0.1) }
            XCTAssertEqual(photos.count, 1)
            XCTAssertTrue(photos.allSatisfy { $0.hasPrefix("/api/v1/track/\(queryCode)/photos/") }, "\(photos)")
            let (photoStatus, _, _) = try await t.get(photos[0], &citizen)
            XCTAssertEqual(photoStatus, .ok, "the photo opens")
        }
    }

    /// 29 November 2026, 13:00 in Hangzhou.
    static let lateNovember = Date(timeIntervalSince1970: 1_795_928_400)

    func testOtherPeoplesCasePagesAre404AndVisitorsMustSignIn() async throws {
        try await withApp { t in
            let r = try await t.report(["channel": "citizen", "description": "南山村路灯坏了", "location": ["lat": try t.centre(of: "330110002001-01").lat, "lon": try t.centre(of: "330110002001-01").lon]])
            let code = try XCTUnwrap(r.json["code"] as? String)
            var visitor = Browser()
            let (status, _, headers) = try await t.get("/cases/\(code)", &visitor)
            XCTAssertEqual(status, .seeOther)
            XCTAssertTrue(headers.first(name: .location)?.hasPrefix("/login") ?? false)
            var other = Browser()
            try await t.signIn("dispatcher-dh", &other)
            let (hidden, _, _) = try await t.get("/cases/\(code)", &other)
            XCTAssertEqual(hidden, .notFound)
        }
    }
}

private extension Array {
    var triple: (Element, Element, Element) { (self[0], self[1], self[2]) }
}
