import Fluent
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class AuthTests: XCTestCase {
    /// The bearer token is read from the header's bytes (`bearerToken`); it must accept and refuse
    /// exactly what Vapor's own reading does.
    func testABearerTokenIsReadAsVaporReadsIt() {
        let values = ["Bearer abc", "bearer abc", "BEARER abc", "BeArEr w311-XYZ", "Bearer  abc", " Bearer abc", "Bearer abc ",
                      "Bearer", "Bearer ", "Bearer a b", "Basic abc", "Bearerx abc", "Beare abc", "Bearer\tabc", "Bearer 令牌",
                      "Béarer abc", "bearer\u{0}abc", "", "   "]
        for value in values {
            let headers = HTTPHeaders([("Authorization", value)])
            XCTAssertEqual(headers.bearerToken, headers.bearerAuthorization?.token, "Authorization: \(value)")
        }
        XCTAssertEqual(HTTPHeaders([("Authorization", "bearer abc")]).bearerToken, "abc")
        XCTAssertNil(HTTPHeaders().bearerToken)
    }

    func testTokenSignInAndMe() async throws {
        try await withApp { t in
            let token = try await t.token("dispatcher")
            let me = try await t.api(.GET, "/api/v1/me", token: token)
            XCTAssertEqual(me.status, .ok)
            let body = try me.body.json()
            XCTAssertEqual(body["role"] as? String, "dispatcher")
            XCTAssertEqual(body["orgCode"] as? String, "330110")

            // The token is stored only as a hash.
            let stored = try await AuthSessionModel.query(on: t.app.db).all().map(\.tokenHash)
            XCTAssertFalse(stored.contains(token))
            XCTAssertTrue(stored.contains(Tokens.hash(token)))

            // Revoked tokens stop working.
            do { let s = try await t.status(.DELETE, "/api/v1/auth/token", token: token); XCTAssertEqual(s, .noContent) }
            do { let s = try await t.status(.GET, "/api/v1/me", token: token); XCTAssertEqual(s, .unauthorized) }
        }
    }

    func testWrongPasswordIsA401WithJSONError() async throws {
        try await withApp { t in
            let wrong = try await t.api(.POST, "/api/v1/auth/token", json: ["username": "admin", "password": "nope-nope"])
            XCTAssertEqual(wrong.status, .unauthorized)
            let error = try wrong.body.json()["error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, "auth.invalid")
            XCTAssertEqual(error?["message"] as? String, "用户名或密码错误。")
            // An unknown user gets exactly the same answer.
            let unknown = try await t.api(.POST, "/api/v1/auth/token", json: ["username": "nobody", "password": "nope-nope"])
            XCTAssertEqual(unknown.status, .unauthorized)
            XCTAssertEqual(try unknown.body.json()["error"] as? [String: String] ?? [:], try wrong.body.json()["error"] as? [String: String] ?? [:])
        }
    }

    func testFiveWrongPasswordsLockTheAccountForFifteenMinutes() async throws {
        try await withApp { t in
            for _ in 1...4 {
                let r = try await t.api(.POST, "/api/v1/auth/token", json: ["username": "grid1", "password": "wrong-password"])
                XCTAssertEqual(r.status, .unauthorized)
            }
            let fifth = try await t.api(.POST, "/api/v1/auth/token", json: ["username": "grid1", "password": "wrong-password"])
            XCTAssertEqual(fifth.status, .locked)
            // Even the right password is refused while locked.
            let right = try await t.api(.POST, "/api/v1/auth/token", json: ["username": "grid1", "password": DemoCounty.password])
            XCTAssertEqual(right.status, .locked)
            XCTAssertTrue(right.body.contains("锁定"))
            // Other users are not affected.
            do { let s = try await t.status(.POST, "/api/v1/auth/token", json: ["username": "grid2", "password": DemoCounty.password]); XCTAssertEqual(s, .created) }

            t.clock.advance(14 * 60)
            do { let s = try await t.status(.POST, "/api/v1/auth/token", json: ["username": "grid1", "password": DemoCounty.password]); XCTAssertEqual(s, .locked) }
            t.clock.advance(61)
            do { let s = try await t.status(.POST, "/api/v1/auth/token", json: ["username": "grid1", "password": DemoCounty.password]); XCTAssertEqual(s, .created) }
        }
    }

    func testMalformedTokenRequestIsA400() async throws {
        try await withApp { t in
            var status: HTTPStatus = .ok
            try await t.app.test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                req.headers.contentType = .json
                req.body = ByteBuffer(string: "{not json")
            }, afterResponse: { res async in status = res.status })
            XCTAssertEqual(status, .badRequest)
            do { let s = try await t.status(.POST, "/api/v1/auth/token", json: ["username": "admin"]); XCTAssertEqual(s, .badRequest) }
        }
    }

    func testAPIRejectsSessionCookiesAndUnauthenticatedCalls() async throws {
        try await withApp { t in
            do { let s = try await t.status(.GET, "/api/v1/org-units"); XCTAssertEqual(s, .unauthorized) }
            do { let s = try await t.status(.GET, "/api/v1/me", token: "made-up"); XCTAssertEqual(s, .unauthorized) }
        }
    }

    /// A token works only while it is unexpired, its user active and it was issued for the API; a
    /// browser session's secret does not open the API.
    func testExpiredTokensInactiveUsersAndBrowserSessionsAreRefused() async throws {
        try await withApp { t in
            let token = try await t.token("leader")
            do { let s = try await t.status(.GET, "/api/v1/me", token: token); XCTAssertEqual(s, .ok) }
            t.clock.advance(t.app.wanggeConfig.tokenLifetime + 60)
            do { let s = try await t.status(.GET, "/api/v1/me", token: token); XCTAssertEqual(s, .unauthorized, "expired") }

            let fresh = try await t.token("leader")
            do { let s = try await t.status(.GET, "/api/v1/me", token: fresh); XCTAssertEqual(s, .ok) }
            let user = try await UserModel.query(on: t.app.db).filter(\.$username == "leader").first()!
            user.active = false
            try await user.save(on: t.app.db)
            do { let s = try await t.status(.GET, "/api/v1/me", token: fresh); XCTAssertEqual(s, .unauthorized, "inactive user") }
            user.active = true
            try await user.save(on: t.app.db)
            do { let s = try await t.status(.GET, "/api/v1/me", token: fresh); XCTAssertEqual(s, .ok, "active again") }

            let secret = Tokens.random()
            let browser = AuthSessionModel(tokenHash: Tokens.hash(secret), kind: .web, userID: try user.requireID(), csrfToken: "csrf",
                                           createdAt: t.clock.now, expiresAt: t.clock.now.addingTimeInterval(3600))
            try await browser.save(on: t.app.db)
            do { let s = try await t.status(.GET, "/api/v1/me", token: secret); XCTAssertEqual(s, .unauthorized, "browser session") }
            browser.kind = AuthSessionModel.Kind.api.rawValue
            try await browser.save(on: t.app.db)
            let me = try await t.api(.GET, "/api/v1/me", token: secret)
            XCTAssertEqual(me.status, .ok)
            XCTAssertEqual(try me.body.json()["username"] as? String, "leader")
        }
    }

    func testChangePasswordThroughAPI() async throws {
        try await withApp { t in
            let token = try await t.token("leader")
            let weak = try await t.api(.POST, "/api/v1/me/password", token: token, json: ["currentPassword": DemoCounty.password, "newPassword": "short"])
            XCTAssertEqual(weak.status, .badRequest)
            XCTAssertTrue(weak.body.contains("8"))
            let ok = try await t.api(.POST, "/api/v1/me/password", token: token, json: ["currentPassword": DemoCounty.password, "newPassword": "new-secret-42"])
            XCTAssertEqual(ok.status, .noContent)
            do { let s = try await t.status(.POST, "/api/v1/auth/token", json: ["username": "leader", "password": DemoCounty.password]); XCTAssertEqual(s, .unauthorized) }
            _ = try await t.token("leader", password: "new-secret-42")
        }
    }

    /// Secrets and masks come in the length asked, drawn afresh each time; a masked token unmasks to its secret.
    func testRandomBytesAndMasksComeInTheLengthAskedAndDiffer() {
        for count in [0, 1, 7, 8, 9, 32, 43] {
            XCTAssertEqual(Tokens.randomBytes(count).count, count)
        }
        XCTAssertNotEqual(Tokens.randomBytes(32), Tokens.randomBytes(32))
        XCTAssertEqual(Set((0..<64).flatMap { _ in Tokens.randomBytes(43) }).count > 200, true, "bytes spread over their range")
        let secret = Tokens.random()
        XCTAssertEqual(secret.count, 43)
        let masks = (0..<8).map { _ in Tokens.masked(secret) }
        XCTAssertEqual(Set(masks).count, masks.count, "a fresh mask on every page")
        XCTAssertEqual(Set(masks.map(Tokens.unmasked)), [secret])
    }
}
