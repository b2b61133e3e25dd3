import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// A browser's session: cookies, CSRF tokens, login and logout through the form pages.
final class PageSessionTests: XCTestCase {
    struct Browser {
        var cookies: [String: String] = [:]

        mutating func absorb(_ headers: HTTPHeaders) {
            for value in headers[.setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0])
                let content = pair.count > 1 ? String(pair[1]) : ""
                if content.isEmpty || value.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = content }
            }
        }

        var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
    }

    func get(_ t: TestContext, _ path: String, _ browser: inout Browser) async throws -> (HTTPStatus, String, HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        let cookie = browser.cookieHeader
        try await t.app.test(.GET, path, beforeRequest: { req in
            if !cookie.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
        }, afterResponse: { res async in result = (res.status, res.body.string, res.headers) })
        browser.absorb(result.2)
        return result
    }

    func post(_ t: TestContext, _ path: String, _ form: [String: String], _ browser: inout Browser) async throws -> (HTTPStatus, String, HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        let cookie = browser.cookieHeader
        try await t.app.test(.POST, path, beforeRequest: { req in
            if !cookie.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            try req.content.encode(form, as: .urlEncodedForm)
        }, afterResponse: { res async in result = (res.status, res.body.string, res.headers) })
        browser.absorb(result.2)
        return result
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func signIn(_ t: TestContext, _ username: String, _ browser: inout Browser) async throws {
        let (_, page, _) = try await get(t, "/login", &browser)
        let token = try XCTUnwrap(Self.csrf(in: page))
        let (status, _, headers) = try await post(t, "/login", ["username": username, "password": DemoCounty.password, "_csrf": token], &browser)
        XCTAssertEqual(status, .seeOther, "login of \(username)")
        XCTAssertEqual(headers.first(name: .location), "/")
    }

    func testLoginFormSignsInWithFreshSessionAndLogsOut() async throws {
        try await withApp { t in
            var browser = Browser()
            let (status, page, _) = try await get(t, "/login", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(page.contains("登录网格平台"))
            XCTAssertNotNil(browser.cookies[CSRFMiddleware.cookieName])

            // A session cookie planted before login is not reused: login issues a new one.
            browser.cookies[SessionAuthenticator.cookieName] = "planted-by-attacker"
            try await signIn(t, "admin", &browser)
            let session = try XCTUnwrap(browser.cookies[SessionAuthenticator.cookieName])
            XCTAssertNotEqual(session, "planted-by-attacker")

            let (_, home, _) = try await get(t, "/", &browser)
            XCTAssertTrue(home.contains("系统管理员"))
            XCTAssertTrue(home.contains("管理员"))

            let token = try XCTUnwrap(Self.csrf(in: home))
            let (logoutStatus, _, _) = try await post(t, "/logout", ["_csrf": token], &browser)
            XCTAssertEqual(logoutStatus, .seeOther)
            XCTAssertNil(browser.cookies[SessionAuthenticator.cookieName])
            // The old cookie no longer opens anything.
            var replay = Browser(cookies: [SessionAuthenticator.cookieName: session])
            let (adminStatus, _, adminHeaders) = try await get(t, "/admin/units", &replay)
            XCTAssertEqual(adminStatus, .seeOther)
            XCTAssertTrue(adminHeaders.first(name: .location)?.hasPrefix("/login") ?? false)
        }
    }

    func testFormsWithoutTheCSRFTokenAreRejected() async throws {
        try await withApp { t in
            var browser = Browser()
            _ = try await get(t, "/login", &browser)
            let (noToken, body, _) = try await post(t, "/login", ["username": "admin", "password": DemoCounty.password], &browser)
            XCTAssertEqual(noToken, .forbidden)
            XCTAssertTrue(body.contains("CSRF"))
            let (wrongToken, _, _) = try await post(t, "/login", ["username": "admin", "password": DemoCounty.password, "_csrf": "forged"], &browser)
            XCTAssertEqual(wrongToken, .forbidden)
            XCTAssertNil(browser.cookies[SessionAuthenticator.cookieName])

            // Signed in, a form must carry the session's token, not the pre-login one.
            try await signIn(t, "admin", &browser)
            let stale = try await post(t, "/admin/departments", ["_csrf": browser.cookies[CSRFMiddleware.cookieName] ?? "", "code": "330110-X", "name": "测试", "orgCode": "330110"], &browser)
            XCTAssertEqual(stale.0, .forbidden)
        }
    }

    func testWrongPasswordShowsChineseMessageOnTheForm() async throws {
        try await withApp { t in
            var browser = Browser()
            let (_, page, _) = try await get(t, "/login", &browser)
            let (status, body, _) = try await post(t, "/login", ["username": "admin", "password": "wrong-password", "_csrf": Self.csrf(in: page)!], &browser)
            XCTAssertEqual(status, .unauthorized)
            XCTAssertTrue(body.contains("用户名或密码错误"))
            XCTAssertTrue(body.contains("value=\"admin\""), "the username stays filled in")
        }
    }

    func testEnglishSwitch() async throws {
        try await withApp { t in
            var browser = Browser()
            _ = try await get(t, "/lang/en?back=/login", &browser)
            XCTAssertEqual(browser.cookies["wangge_lang"], "en")
            let (_, page, _) = try await get(t, "/login", &browser)
            XCTAssertTrue(page.contains("Sign in to Wangge"))
            // Only local paths are followed back.
            let (_, _, headers) = try await get(t, "/lang/zh?back=//evil.example", &browser)
            XCTAssertEqual(headers.first(name: .location), "/")
        }
    }
}
