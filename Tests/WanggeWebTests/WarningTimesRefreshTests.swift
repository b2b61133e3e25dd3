import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// A list filtered by colour (`?warning=`) and the areas' counts compare the moments stored on each
/// open case; the case's own page works its colour out from its clocks. Stored with the thresholds
/// and holidays in force when the clock started, they must follow when either changes, or a case
/// shown yellow is listed as blue and counted so on the overview.
final class WarningTimesRefreshTests: XCTestCase {
    /// A report in 湖滨社区 on Monday 09:00, registered at 09:50: its three working days to resolve run
    /// until Thursday 09:50.
    private func registeredOnMonday(_ t: TestContext, dispatcher: String) async throws -> String {
        t.clock.now = SLATests.monday
        let spot = try t.centre(of: "330110001001-01")
        let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
        let code = try XCTUnwrap(r.json["code"] as? String)
        t.clock.advance(50 * 60)
        try await t.act(code, "register", token: dispatcher)
        return code
    }

    /// The case's colour on its page, whether the `colour` list has it, and its community's count of `colour`.
    private func seen(_ t: TestContext, _ code: String, as colour: String, dispatcher: String) async throws -> (page: String, listed: Bool, counted: Int) {
        let page = try await t.caseJSON(code, token: dispatcher)["warning"] as? String ?? "?"
        let list = try await t.api(.GET, "/api/v1/cases?warning=\(colour)", token: dispatcher).body.json()
        let listed = (list["items"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == code }
        let rows = try await t.api(.GET, "/api/v1/warnings?within=330110001", token: dispatcher).body.jsonArray()
        let counted = rows.first { $0["orgCode"] as? String == "330110001001" }?[colour] as? Int ?? -1
        return (page, listed, counted)
    }

    func testNewThresholdsMoveTheColourFiltersAndCountsAtTheNextSweep() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let code = try await registeredOnMonday(t, dispatcher: dispatcher)
            t.clock.advance(2 * 86400 + 3600) // Wednesday 10:50: 19 of 27 working hours, 70%
            var blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "blue")
            XCTAssertTrue(blue.listed)
            XCTAssertEqual(blue.counted, 1)

            // Blue from 75% on, yellow from 90%: at 70% the case has no colour.
            t.app.wanggeConfig.warningThresholds = WarningThresholds(blue: 0.75, yellow: 0.9)
            await t.app.invalidateSLAContext()
            let sweep = try await t.app.sweep(now: t.clock.now)
            XCTAssertGreaterThanOrEqual(sweep.thresholdTimesMoved ?? 0, 1, "the sweep worked the stored moments out again")
            blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "none")
            XCTAssertFalse(blue.listed, "the blue list agrees with the page")
            XCTAssertEqual(blue.counted, 0, "the community's count agrees with the page")

            t.clock.advance(80 * 60) // 12:10: 20 h 20 min, 75.3%
            blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "blue")
            XCTAssertTrue(blue.listed, "listed blue from the new threshold on")
            XCTAssertEqual(blue.counted, 1)
            // A minute after the change, when every instance has read it, the open cases are walked once more
            // (for cases another instance registered with its old copy); here none had moments to mend.
            let recheck = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(recheck.thresholdTimesMoved, 0)
            t.clock.advance(60)
            let again = try await t.app.sweep(now: t.clock.now)
            XCTAssertNil(again.thresholdTimesMoved, "nothing changed since: nothing is worked out again")
        }
    }

    func testAHolidayAddedByTheAdministratorMovesTheColourFiltersAtTheNextSweep() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let admin = try await t.token("admin")
            let code = try await registeredOnMonday(t, dispatcher: dispatcher)
            _ = try await t.app.sweep(now: t.clock.now)
            t.clock.advance(2 * 86400 + 4 * 3600 + 10 * 60) // Wednesday 14:00: 22 h 10 min of 27, 82%
            var yellow = try await seen(t, code, as: "yellow", dispatcher: dispatcher)
            XCTAssertEqual(yellow.page, "yellow")
            XCTAssertTrue(yellow.listed)

            // Tuesday declared a holiday: the clock still runs out on Thursday 09:50, but it holds
            // 18 working hours, of which 13 h 10 min (73%) have passed.
            var year = try await t.api(.GET, "/api/v1/calendar/2026", token: admin).body.json()
            year["holidays"] = (year["holidays"] as? [String] ?? []) + ["2026-11-24"]
            let body = try JSONSerialization.data(withJSONObject: year)
            var status: HTTPStatus = .internalServerError
            try await t.app.test(.PUT, "/api/v1/calendar/2026", beforeRequest: { req in
                req.headers.bearerAuthorization = BearerAuthorization(token: admin)
                req.headers.contentType = .json
                req.body = ByteBuffer(data: body)
            }, afterResponse: { res async in status = res.status })
            XCTAssertEqual(status, .ok)

            let sweep = try await t.app.sweep(now: t.clock.now)
            XCTAssertGreaterThanOrEqual(sweep.thresholdTimesMoved ?? 0, 1)
            yellow = try await seen(t, code, as: "yellow", dispatcher: dispatcher)
            XCTAssertEqual(yellow.page, "blue")
            XCTAssertFalse(yellow.listed, "no longer listed yellow")
            XCTAssertEqual(yellow.counted, 0)
            let blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertTrue(blue.listed, "listed blue, as its page shows it")
            XCTAssertEqual(blue.counted, 1)
        }
    }

    /// Thresholds read from each instance's environment differed between instances: each coloured a case
    /// its own way, and the sweep, passing from one instance to another, worked every open case's moments
    /// out again at each pass. The administrator's thresholds, kept in the database, hold on every instance.
    func testThresholdsSetByTheAdministratorHoldOnEveryInstance() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let admin = try await t.token("admin")
            var shown = try await t.api(.GET, "/api/v1/sla-thresholds", token: dispatcher).body.json()
            XCTAssertEqual(shown["blue"] as? Double, 0.5)
            XCTAssertEqual(shown["stored"] as? Bool, false, "the configured default until an administrator sets them")
            let code = try await registeredOnMonday(t, dispatcher: dispatcher)
            _ = try await t.app.sweep(now: t.clock.now)
            t.clock.advance(2 * 86400 + 3600) // Wednesday 10:50: 70% of the time gone
            var blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "blue")

            // Refused, and nothing stored: yellow before blue, red past the deadline, a dispatcher.
            let backwards = try await t.api(.PUT, "/api/v1/sla-thresholds", token: admin, json: ["blue": 0.9, "yellow": 0.5])
            XCTAssertEqual(backwards.status, .badRequest)
            let refusal = try backwards.body.json()["error"] as? [String: Any]
            XCTAssertEqual(refusal?["code"] as? String, "sla.thresholds", backwards.body)
            let pastDeadline = try await t.status(.PUT, "/api/v1/sla-thresholds", token: admin, json: ["blue": 0.5, "yellow": 0.8, "red": 1.5])
            XCTAssertEqual(pastDeadline, .badRequest)
            let notANumber = try await t.status(.PUT, "/api/v1/sla-thresholds", token: admin, json: ["blue": "half"])
            XCTAssertEqual(notANumber, .badRequest)
            let byDispatcher = try await t.status(.PUT, "/api/v1/sla-thresholds", token: dispatcher, json: ["blue": 0.75, "yellow": 0.9])
            XCTAssertEqual(byDispatcher, .forbidden)
            shown = try await t.api(.GET, "/api/v1/sla-thresholds", token: dispatcher).body.json()
            XCTAssertEqual(shown["stored"] as? Bool, false)

            let set = try await t.api(.PUT, "/api/v1/sla-thresholds", token: admin, json: ["blue": 0.75, "yellow": 0.9])
            XCTAssertEqual(set.status, .ok, set.body)
            blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "none", "at 70% the case has no colour from the new thresholds on")
            let sweep = try await t.app.sweep(now: t.clock.now)
            XCTAssertGreaterThanOrEqual(sweep.thresholdTimesMoved ?? 0, 1)
            blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertFalse(blue.listed)
            XCTAssertEqual(blue.counted, 0)

            // An instance started with other thresholds in its environment follows the stored ones, and
            // its sweep has nothing to work out again.
            t.app.wanggeConfig.warningThresholds = WarningThresholds(blue: 0.3, yellow: 0.6)
            await t.app.invalidateSLAContext()
            blue = try await seen(t, code, as: "blue", dispatcher: dispatcher)
            XCTAssertEqual(blue.page, "none", "coloured by the stored thresholds, not this instance's")
            XCTAssertFalse(blue.listed)
            let other = try await t.app.sweep(now: t.clock.now)
            XCTAssertNil(other.thresholdTimesMoved, "no instance works the moments out again for its own thresholds")

            // An instance still holding its copy of the old thresholds (for up to a minute) registers a case
            // with the old moments: set here by hand. The sweep a minute after the change mends them.
            t.clock.advance(30)
            let spot = try t.centre(of: "330110001001-01")
            let late = try await t.report(["channel": "citizen", "description": "小区门口井盖松动", "location": ["lat": spot.lat, "lon": spot.lon]])
            let lateCode = try XCTUnwrap(late.json["code"] as? String, "\(late)")
            try await t.act(lateCode, "register", token: dispatcher)
            let found = try await CaseModel.query(on: t.app.db).filter(\.$code == lateCode).first()
            let row = try XCTUnwrap(found)
            let rightBlue = try XCTUnwrap(row.blueAt)
            let stale = CaseDeadlines(stored: row.deadlinesJSON).thresholdTimes(WarningThresholds(), calendar: try await t.app.slaContext(on: t.app.db).calendar)
            row.blueAt = stale?.blue
            try await row.save(on: t.app.db)
            XCTAssertNotEqual(row.blueAt, rightBlue)
            let early = try await t.app.sweep(now: t.clock.now)
            XCTAssertNil(early.thresholdTimesMoved, "not before every instance has read the change")
            t.clock.advance(60)
            let mending = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(mending.thresholdTimesMoved, 1, "the case registered with the old thresholds")
            let mended = try await CaseModel.query(on: t.app.db).filter(\.$code == lateCode).first()
            XCTAssertEqual(mended?.blueAt?.timeIntervalSince1970 ?? 0, rightBlue.timeIntervalSince1970, accuracy: 0.001)
            t.clock.advance(60)
            let after = try await t.app.sweep(now: t.clock.now)
            XCTAssertNil(after.thresholdTimesMoved, "walked once more, not at every sweep")
            shown = try await t.api(.GET, "/api/v1/sla-thresholds", token: dispatcher).body.json()
            XCTAssertEqual(shown["blue"] as? Double, 0.75)
            XCTAssertEqual(shown["red"] as? Double, 1)
            XCTAssertEqual(shown["stored"] as? Bool, true)
        }
    }

    /// The administrator sets them on the deadline rules page, in percent; a wrong order is refused there
    /// in Chinese, next to the form.
    func testTheAdministratorSetsThresholdsOnTheRulesPage() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("admin", &browser)
            var (_, page, _) = try await t.get("/admin/categories", &browser)
            XCTAssertTrue(page.contains("id=\"thresholds-default\""), "says the defaults are in force")
            XCTAssertTrue(page.contains("name=\"yellowPercent\" type=\"number\" min=\"1\" max=\"100\" step=\"1\" value=\"80\""))
            let csrf = try XCTUnwrap(Browser.csrf(in: page))

            let (refused, form, _) = try await t.post("/admin/sla-thresholds", ["_csrf": csrf, "bluePercent": "85", "yellowPercent": "70", "redPercent": "100"], &browser)
            XCTAssertEqual(refused, .badRequest)
            XCTAssertTrue(form.contains("id=\"thresholds-error\""))
            XCTAssertTrue(form.contains("预警阈值须满足"), "the reason, in Chinese")

            let (saved, _, _) = try await t.post("/admin/sla-thresholds", ["_csrf": csrf, "bluePercent": "60", "yellowPercent": "85", "redPercent": "100"], &browser)
            XCTAssertEqual(saved, .seeOther)
            (_, page, _) = try await t.get("/admin/categories", &browser)
            XCTAssertFalse(page.contains("id=\"thresholds-default\""))
            XCTAssertTrue(page.contains("name=\"bluePercent\" type=\"number\" min=\"1\" max=\"100\" step=\"1\" value=\"60\""))
            let dispatcher = try await t.token("dispatcher")
            let shown = try await t.api(.GET, "/api/v1/sla-thresholds", token: dispatcher).body.json()
            XCTAssertEqual(shown["yellow"] as? Double, 0.85)
        }
    }
}
