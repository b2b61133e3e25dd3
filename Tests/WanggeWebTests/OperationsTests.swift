import Fluent
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class OperationsTests: XCTestCase {
    func testHealthAndMetrics() async throws {
        try await withApp { t in
            let health = try await t.api(.GET, "/healthz")
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(try health.body.json()["status"] as? String, "ok")
            _ = try await t.api(.GET, "/api/v1/org-units/330110")
            let metrics = try await t.api(.GET, "/metrics")
            XCTAssertEqual(metrics.status, .ok)
            XCTAssertTrue(metrics.body.contains("http_requests_total"))
            XCTAssertTrue(metrics.body.contains("route=\"/api/v1/org-units/:code\""), "labelled by route pattern, not by URL")
            XCTAssertTrue(metrics.body.contains("http_request_duration_seconds_bucket"))
        }
    }

    /// The stylesheet and script are served from the public directory; nothing else is looked up there.
    func testStaticFilesAreServedAndOtherPathsAreNot() async throws {
        try await withApp(demo: false) { t in
            let css = try await t.api(.GET, "/css/wangge.css")
            XCTAssertEqual(css.status, .ok)
            XCTAssertEqual(css.headers.contentType, .css)
            XCTAssertTrue(css.body.contains("{"), "the stylesheet's rules")
            let script = try await t.api(.GET, "/js/wangge.js")
            XCTAssertEqual(script.status, .ok)
            XCTAssertFalse(script.body.isEmpty)
            let missing = try await t.api(.GET, "/css/missing.css")
            XCTAssertEqual(missing.status, .notFound)
            // A stylesheet is served from its folder only, not by its bare name.
            let bare = try await t.api(.GET, "/wangge.css")
            XCTAssertEqual(bare.status, .notFound)
            let outside = try await t.api(.GET, "/css/../../Package.swift")
            XCTAssertNotEqual(outside.status, .ok)

            // A request that matched a route skips the file lookup, so no route may lie where files do.
            let folders = Set(try FileManager.default.contentsOfDirectory(atPath: Resources.publicDirectory))
            XCTAssertFalse(folders.isEmpty)
            for route in t.app.routes.all {
                if case .constant(let first) = route.path.first {
                    XCTAssertFalse(folders.contains(first), "route \(route.path.string) lies under the public directory")
                }
            }
        }
    }

    func testHealthIs503WithoutTheDatabase() async throws {
        // A PostgreSQL URL where nothing listens: the server runs, the database does not answer.
        let app = try await Application.make(.testing)
        try await configure(app, config: WanggeConfig(databaseURL: "postgres://nobody@127.0.0.1:1/none", bcryptCost: 4))
        do {
            try await app.test(.GET, "/healthz", afterResponse: { res async throws in
                XCTAssertEqual(res.status, .serviceUnavailable)
                XCTAssertEqual(try res.body.string.json()["status"] as? String, "unavailable")
            })
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    func testDemoRefusesANonEmptyDatabase() async throws {
        try await withApp { t in
            let units = try await OrgUnitModel.query(on: t.app.db).count()
            do {
                try await DemoLoader(db: t.app.db).load(hasher: t.app.hasher)
                XCTFail("loading twice must fail")
            } catch let error as AppError {
                XCTAssertEqual(error.code, "demo.not_empty")
            }
            let after = try await OrgUnitModel.query(on: t.app.db).count()
            XCTAssertEqual(units, after, "nothing was added")
        }
    }

    func testDemoIsDeterministic() {
        let a = DemoCounty.units.map { "\($0.code)|\($0.name)|\($0.polygon?.geoJSONString ?? "")" }
        let b = DemoCounty.units.map { "\($0.code)|\($0.name)|\($0.polygon?.geoJSONString ?? "")" }
        XCTAssertEqual(a, b)
        XCTAssertEqual(DemoCounty.units.filter { $0.level == .grid }.count, 24)
        for role in Role.allCases { XCTAssertTrue(DemoCounty.users.contains { $0.role == role }, "a demo user for \(role)") }
        for name in ["admin", "dispatcher", "grid1", "handler-cg", "leader"] {
            XCTAssertTrue(DemoCounty.users.contains { $0.username == name }, name)
        }
    }

    /// Only a serving process hands Swift concurrency to the event loops; the generator and the other
    /// commands keep Swift's own thread pool, where their parallel work runs faster.
    func testOnlyServingRunsTasksOnTheEventLoops() {
        XCTAssertTrue(WanggeEntry.servesRequests(["wangge"]))
        XCTAssertTrue(WanggeEntry.servesRequests(["wangge", "serve", "--port", "8080", "--no-demo"]))
        XCTAssertTrue(WanggeEntry.servesRequests(["wangge", "--port", "8080"]), "serve is the default command")
        XCTAssertTrue(WanggeEntry.servesRequests(["wangge", "--env", "production", "serve"]))
        XCTAssertTrue(WanggeEntry.servesRequests(["wangge", "--log", "warning"]))
        XCTAssertFalse(WanggeEntry.servesRequests(["wangge", "-e", "production", "--log", "info", "generate", "--cases", "10"]),
                       "Vapor's options before the command are skipped")
        for command in ["generate", "migrate", "demo", "user", "bench", "audit", "rollups", "backup", "restore"] {
            XCTAssertFalse(WanggeEntry.servesRequests(["wangge", command, "--data-dir", "/tmp/x"]), command)
        }
    }

    func testErrorsNeverLeakAs500ForUnknownRoutes() async throws {
        try await withApp { t in
            let api = try await t.api(.GET, "/api/v1/nothing-here")
            XCTAssertEqual(api.status, .notFound)
            XCTAssertNotNil(try api.body.json()["error"])
            let page = try await t.api(.GET, "/no-such-page")
            XCTAssertEqual(page.status, .notFound)
            XCTAssertTrue(page.body.contains("页面或接口不存在"))
        }
    }
}

final class StringsTests: XCTestCase {
    func testEveryStringHasBothLanguages() {
        // Building the tables traps on a duplicate key, so this also guards against those.
        XCTAssertEqual(Set(Strings.zh.keys), Set(Strings.en.keys))
        XCTAssertTrue(Strings.zh.values.allSatisfy { !$0.isEmpty })
    }
}

final class AuditTrailTests: XCTestCase {
    func testChangingOrDeletingAnEventIsDetected() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for i in 0..<3 {
                let r = try await t.report(["channel": "citizen", "description": "第\(i)个需要核验的事件", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append(try XCTUnwrap(r.json["code"] as? String))
            }
            let dispatcher = try await t.token("dispatcher-dh")
            for code in codes {
                try await t.act(code, "register", token: dispatcher)
                try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            }
            var (checked, findings) = try await EventHashChain.verify(on: t.app.db)
            XCTAssertEqual(checked, 3)
            XCTAssertEqual(findings, [])

            // Someone edits a note directly in the database…
            let first = try await CaseModel.query(on: t.app.db).filter(\.$code == codes[0]).first()!
            let edited = try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == first.requireID()).filter(\.$seq == 2).first()!
            edited.note = "改过的记录"
            try await edited.save(on: t.app.db)
            // …deletes an event in the middle of another case…
            let second = try await CaseModel.query(on: t.app.db).filter(\.$code == codes[1]).first()!
            try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == second.requireID()).filter(\.$seq == 2).delete()
            // …and the last event of a third.
            let third = try await CaseModel.query(on: t.app.db).filter(\.$code == codes[2]).first()!
            try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == third.requireID()).filter(\.$seq == 3).delete()

            (checked, findings) = try await EventHashChain.verify(on: t.app.db)
            XCTAssertTrue(findings.contains { $0.caseCode == codes[0] && $0.problem.contains("event 2") && $0.problem.contains("changed") }, "\(findings)")
            XCTAssertTrue(findings.contains { $0.caseCode == codes[1] && $0.problem.contains("missing") }, "\(findings)")
            XCTAssertTrue(findings.contains { $0.caseCode == codes[2] && $0.problem.contains("deleted") }, "\(findings)")
        }
    }

    func testPagesCarrySecurityHeaders() async throws {
        try await withApp(demo: false) { t in
            let r = try await t.api(.GET, "/login")
            XCTAssertEqual(r.headers.first(name: "Content-Security-Policy"), SecurityHeadersMiddleware.contentSecurityPolicy)
            XCTAssertFalse(SecurityHeadersMiddleware.contentSecurityPolicy.contains("unsafe-inline"))
            XCTAssertEqual(r.headers.first(name: "X-Frame-Options"), "DENY")
            XCTAssertEqual(r.headers.first(name: "X-Content-Type-Options"), "nosniff")
            let cookie = r.headers[.setCookie].first { $0.hasPrefix(CSRFMiddleware.cookieName) } ?? ""
            XCTAssertTrue(cookie.contains("HttpOnly"))
            XCTAssertTrue(cookie.contains("SameSite=Lax"))
            // No template carries inline script or style, so the policy holds.
            let views = Resources.viewsDirectory
            for file in try FileManager.default.contentsOfDirectory(atPath: views) {
                let text = try String(contentsOfFile: views + file, encoding: .utf8)
                XCTAssertFalse(text.contains("<script>") || text.contains("<script type") || text.contains(" style=") || text.contains("onclick="), file)
            }
        }
    }
}

final class RateLimitTests: XCTestCase {
    func testAnonymousIntakeTrackingAndLoginAreLimitedPerAddress() async throws {
        try await withApp { t in
            t.app.rateLimits = RateLimits(intakePerMinute: 2, trackPerMinute: 3, loginPerMinute: 2)
            var intake: [HTTPStatus] = []
            for i in 0..<3 { intake.append(try await t.report(["channel": "citizen", "description": "第\(i)条匿名反映的问题"]).status) }
            XCTAssertEqual(intake, [.created, .created, .tooManyRequests])
            let limited = try await t.report(["channel": "citizen", "description": "再一条匿名反映的问题"])
            XCTAssertEqual((limited.json["error"] as? [String: Any])?["message"] as? String, "操作过于频繁,请一分钟后再试。")
            // Signed-in staff are not limited by the anonymous allowance.
            let dispatcher = try await t.token("dispatcher")
            let staff = try await t.report(["channel": "window", "description": "窗口登记的问题一条"], token: dispatcher)
            XCTAssertEqual(staff.status, .created)

            var track: [HTTPStatus] = []
            for _ in 0..<4 { track.append(try await t.track("ABCDEFGHJK").status) }
            XCTAssertEqual(track, [.notFound, .notFound, .notFound, .tooManyRequests], "guessing query codes is slowed down")
            var logins: [HTTPStatus] = []
            for _ in 0..<2 { logins.append(try await t.status(.POST, "/api/v1/auth/token", json: ["username": "leader", "password": "wrong-password"])) }
            XCTAssertEqual(logins, [.unauthorized, .tooManyRequests], "the dispatcher's sign-in used one of the two")

            t.clock.advance(60)
            let later = try await t.report(["channel": "citizen", "description": "一分钟后的匿名反映"])
            XCTAssertEqual(later.status, .created)
        }
    }
}
