import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// A browser's session: cookies, CSRF tokens, login and logout through the form pages.
final class PageSessionTests: XCTestCase {
    func testLoginFormSignsInWithFreshSessionAndLogsOut() async throws {
        try await withApp { t in
            var browser = Browser()
            let (status, page, _) = try await t.get("/login", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(page.contains("登录网格平台"))
            XCTAssertNotNil(browser.cookies[CSRFMiddleware.cookieName])

            // A session cookie planted before login is not reused: login issues a new one.
            browser.cookies[SessionAuthenticator.cookieName] = "planted-by-attacker"
            try await t.signIn("admin", &browser)
            let session = try XCTUnwrap(browser.cookies[SessionAuthenticator.cookieName])
            XCTAssertNotEqual(session, "planted-by-attacker")

            let (_, home, _) = try await t.get("/", &browser)
            XCTAssertTrue(home.contains("系统管理员"))
            XCTAssertTrue(home.contains("管理员"))

            let token = try XCTUnwrap(Browser.csrf(in: home))
            let (logoutStatus, _, _) = try await t.post("/logout", ["_csrf": token], &browser)
            XCTAssertEqual(logoutStatus, .seeOther)
            XCTAssertNil(browser.cookies[SessionAuthenticator.cookieName])
            // The old cookie no longer opens anything.
            var replay = Browser(cookies: [SessionAuthenticator.cookieName: session])
            let (adminStatus, _, adminHeaders) = try await t.get("/admin/units", &replay)
            XCTAssertEqual(adminStatus, .seeOther)
            XCTAssertTrue(adminHeaders.first(name: .location)?.hasPrefix("/login") ?? false)
        }
    }

    func testFormsWithoutTheCSRFTokenAreRejected() async throws {
        try await withApp { t in
            var browser = Browser()
            _ = try await t.get("/login", &browser)
            let (noToken, body, _) = try await t.post("/login", ["username": "admin", "password": DemoCounty.password], &browser)
            XCTAssertEqual(noToken, .forbidden)
            XCTAssertTrue(body.contains("CSRF"))
            let (wrongToken, _, _) = try await t.post("/login", ["username": "admin", "password": DemoCounty.password, "_csrf": "forged"], &browser)
            XCTAssertEqual(wrongToken, .forbidden)
            XCTAssertNil(browser.cookies[SessionAuthenticator.cookieName])

            // Signed in, a form must carry the session's token, not the pre-login one.
            try await t.signIn("admin", &browser)
            let stale = try await t.post("/admin/departments", ["_csrf": browser.cookies[CSRFMiddleware.cookieName] ?? "", "code": "330110-X", "name": "测试", "orgCode": "330110"], &browser)
            XCTAssertEqual(stale.0, .forbidden)
        }
    }

    /// Pages go out compressed, and some echo what a visitor typed: each answer carries the token
    /// under a mask of its own, so no two pages show the same bytes for it (BREACH), and any of them
    /// passes the check while the session lasts.
    func testEachPageCarriesTheTokenUnderAFreshMaskAndEveryMaskPasses() async throws {
        try await withApp { t in
            var browser = Browser()
            let (_, first, _) = try await t.get("/login", &browser)
            let (_, second, _) = try await t.get("/login", &browser)
            let cookie = try XCTUnwrap(browser.cookies[CSRFMiddleware.cookieName])
            let loginTokens = [try XCTUnwrap(Browser.csrf(in: first)), try XCTUnwrap(Browser.csrf(in: second))]
            XCTAssertNotEqual(loginTokens[0], loginTokens[1])
            XCTAssertFalse(loginTokens.contains(cookie) || first.contains(cookie), "the bare token is never on a page")
            XCTAssertEqual(loginTokens.map(Tokens.unmasked), [cookie, cookie])

            try await t.signIn("dispatcher", &browser)
            var pageTokens: [String] = []
            for path in ["/work", "/inbox", "/work"] {
                let (_, page, _) = try await t.get(path, &browser)
                pageTokens.append(try XCTUnwrap(Browser.csrf(in: page)))
            }
            XCTAssertEqual(Set(pageTokens).count, 3)
            for token in pageTokens.reversed() {
                let (status, _, _) = try await t.post("/inbox/read-all", ["_csrf": token], &browser)
                XCTAssertEqual(status, .seeOther, "an earlier page's token still passes")
            }
            // One character changed, or a token of the pre-login cookie, is refused.
            var altered = Array(pageTokens[0])
            altered[10] = altered[10] == "A" ? "B" : "A"
            let (tampered, _, _) = try await t.post("/inbox/read-all", ["_csrf": String(altered)], &browser)
            XCTAssertEqual(tampered, .forbidden)
            let (stale, _, _) = try await t.post("/inbox/read-all", ["_csrf": loginTokens[0]], &browser)
            XCTAssertEqual(stale, .forbidden)
        }
    }

    func testWrongPasswordShowsChineseMessageOnTheForm() async throws {
        try await withApp { t in
            var browser = Browser()
            let (_, page, _) = try await t.get("/login", &browser)
            let (status, body, _) = try await t.post("/login", ["username": "admin", "password": "wrong-password", "_csrf": Browser.csrf(in: page)!], &browser)
            XCTAssertEqual(status, .unauthorized)
            XCTAssertTrue(body.contains("用户名或密码错误"))
            XCTAssertTrue(body.contains("value=\"admin\""), "the username stays filled in")
        }
    }

    func testEnglishSwitch() async throws {
        try await withApp { t in
            var browser = Browser()
            _ = try await t.get("/lang/en?back=/login", &browser)
            XCTAssertEqual(browser.cookies["wangge_lang"], "en")
            let (_, page, _) = try await t.get("/login", &browser)
            XCTAssertTrue(page.contains("Sign in to Wangge"))
            // Only local paths are followed back.
            let (_, _, headers) = try await t.get("/lang/zh?back=//evil.example", &browser)
            XCTAssertEqual(headers.first(name: .location), "/")
        }
    }

    /// The header's navigation marks the page being read, and only it, and offers the other language, coming back
    /// to the same page.
    func testTheNavigationMarksTheCurrentPageAndOffersTheOtherLanguage() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            func nav(_ page: String) throws -> String { String(try page.part(from: "<nav aria-label=\"main\">", to: "</nav>")) }
            for path in ["/work", "/overview", "/inbox"] {
                let (status, page, _) = try await t.get(path, &browser)
                XCTAssertEqual(status, .ok, path)
                let links = try nav(page)
                XCTAssertEqual(links.components(separatedBy: "aria-current=\"page\"").count - 1, 1, links)
                XCTAssertTrue(links.contains("<a href=\"\(path)\" aria-current=\"page\">"), links)
                XCTAssertTrue(links.contains("<a href=\"/lang/en?back=\(path)\" lang=\"en\">English</a>"), links)
            }
            _ = try await t.get("/lang/en?back=/work", &browser)
            let (_, english, _) = try await t.get("/work", &browser)
            let englishLinks = try nav(english)
            XCTAssertTrue(englishLinks.contains("<a href=\"/lang/zh?back=/work\" lang=\"zh-CN\">"), englishLinks)
        }
    }

    /// English is chosen by the one cookie pair `wangge_lang=en`, wherever it stands among the others and however
    /// spaced; a cookie whose name only ends so, another value, or none leaves the pages in Chinese.
    func testEnglishIsTheLanguageCookieAmongOthers() async throws {
        try await withApp(demo: false) { t in
            func english(_ cookieHeaders: [String]) -> Bool {
                let request = Request(application: t.app, on: t.app.eventLoopGroup.next())
                for header in cookieHeaders { request.headers.add(name: .cookie, value: header) }
                return request.isEnglish
            }
            XCTAssertTrue(english(["wangge_lang=en"]))
            XCTAssertTrue(english(["wangge_session=abc; wangge_lang=en; wangge_csrf=x"]))
            XCTAssertTrue(english(["wangge_session=abc;wangge_lang=en  "]))
            XCTAssertTrue(english(["wangge_session=abc", "wangge_lang=en"]), "in a second Cookie header")
            XCTAssertTrue(english(["; wangge_session=abc;\twangge_lang=en\t;"]), "tabs and empty pieces around it")
            XCTAssertFalse(english([]))
            XCTAssertFalse(english(["wangge_lang=zh; wangge_session=abc"]))
            XCTAssertFalse(english(["xwangge_lang=en"]))
            XCTAssertFalse(english(["wangge_lang=english"]))
            XCTAssertFalse(english(["wangge_lang=e", "wangge_lang =en", ";;", ""]), "shorter, spaced inside, empty")
            XCTAssertFalse(english(["wangge_session=wangge_lang=en"]), "a value that only contains the pair")
            XCTAssertTrue(english(["a=1, wangge_lang=en"]), "after a comma, as Vapor reads the header")
            XCTAssertTrue(english(["wangge_lang=\"en\""]), "quoted, read by Vapor's parser")
            XCTAssertFalse(english(["wangge_lang=en; wangge_lang=zh"]), "the last of a name, as Vapor reads it")
        }
    }

    /// The session's and the CSRF check's cookies are read from the Cookie headers' bytes as Vapor's parser reads them:
    /// among others, spaced, tabbed, after a comma, twice (the last), empty, with `=` in the value, in a second header,
    /// absent; a header with a quote goes to Vapor's parser itself.
    func testACookieIsReadAsVaporReadsIt() async throws {
        let headerSets: [[String]] = [
            ["wangge_session=abc"], ["a=1; wangge_session=abc; wangge_csrf=x"], [" wangge_session = abc ;"], ["\twangge_session=abc\t"],
            ["a=1, wangge_session=abc"], ["wangge_session=abc; wangge_session=def"], ["wangge_session=abc", "wangge_session=def"],
            ["wangge_session="], ["wangge_session=ab==; x"], ["x=1", "y=2; wangge_session=abc"], ["xwangge_session=abc"],
            ["wangge_session"], [";;,,"], [""], [], ["wangge_sessionx=1; wangge_session=2"], ["wangge_session=网格"],
            ["wangge_session=a b"], ["=abc; wangge_session=z"], ["wangge_session =abc"], ["a b=1; wangge_session=c"],
            ["网格=1; wangge_session=c"], ["wangge_session=c; wang@ge=1"], ["x=1 ;wangge_session=\u{7F}c"], ["wangge_session=abc; other=\"q;wangge_session=evil\""],
            ["wangge_session=\"quoted\""],
        ]
        for headers in headerSets {
            var parsed = HTTPHeaders()
            for header in headers { parsed.add(name: .cookie, value: header) }
            let vapor = parsed.cookie?["wangge_session"]?.string
            let scanned = Request.cookieValue(headers, named: "wangge_session")
            if headers.contains(where: { $0.contains("\"") }) {
                XCTAssertNil(scanned, "\(headers): left to Vapor's parser")
            } else {
                XCTAssertEqual(scanned, .some(vapor), "\(headers)")
            }
        }
        try await withApp(demo: false) { t in
            let request = Request(application: t.app, on: t.app.eventLoopGroup.next())
            request.headers.add(name: .cookie, value: "wangge_session=abc; other=\"q;wangge_session=evil\"")
            XCTAssertEqual(request.cookie(named: "wangge_session"), "abc", "the quoted value is no pair of its own")
            XCTAssertEqual(request.cookie(named: "wangge_csrf"), nil)
        }
    }
}

final class StreamedFormTests: XCTestCase {
    /// A report with a large photo arrives in many pieces over a real socket; the CSRF check must
    /// read the token from the whole body, not from the first piece.
    func testAFormWithALargePhotoPassesTheCSRFCheckOverARealConnection() async throws {
        try await withApp { t in
            let tester = try t.app.testable(method: .running(port: 0))
            var cookie = ""
            var token = ""
            try await tester.test(.GET, "/report", afterResponse: { res async in
                cookie = res.headers[.setCookie].first { $0.hasPrefix(CSRFMiddleware.cookieName) }?.split(separator: ";").first.map(String.init) ?? ""
                token = Browser.csrf(in: res.body.string) ?? ""
            })
            XCTAssertFalse(token.isEmpty)
            let photo = tinyPNG + Data(repeating: 0x42, count: 600_000)
            let (body, type) = multipartBody([("_csrf", token), ("channel", "citizen"), ("description", "带大照片的反映问题")],
                                             files: [Upload(name: "photos[]", filename: "big.png", contentType: "image/png", data: photo)])
            var status: HTTPStatus = .internalServerError
            var page = ""
            try await tester.test(.POST, "/report", beforeRequest: { req in
                req.headers.replaceOrAdd(name: .cookie, value: cookie)
                req.headers.contentType = type
                req.body = body
            }, afterResponse: { res async in
                status = res.status
                page = res.body.string
            })
            XCTAssertEqual(status, .created, String(page.prefix(400)))
            XCTAssertTrue(page.contains("id=\"query-code\""))
        }
    }
}
