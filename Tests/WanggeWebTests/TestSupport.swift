import Fluent
import FluentKit
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// The databases every web test runs on: SQLite always, PostgreSQL too when
/// `WANGGE_TEST_POSTGRES_URL` names one (CI sets it).
enum TestDatabase: String, CaseIterable {
    case sqlite, postgres

    static var enabled: [TestDatabase] {
        ProcessInfo.processInfo.environment["WANGGE_TEST_POSTGRES_URL"].map { $0.isEmpty ? [.sqlite] : [.sqlite, .postgres] } ?? [.sqlite]
    }
}

/// A settable clock for tests: they set "now" instead of sleeping.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = start }

    var now: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func advance(_ seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }
}

struct TestContext {
    let app: Application
    let clock: TestClock
    let database: TestDatabase
}

extension XCTestCase {
    /// `withApp` on PostgreSQL alone, with its SQL handle: a test of what only PostgreSQL does (prepared reads,
    /// held inserts, its storage settings) runs nothing where only SQLite is enabled, and makes no SQLite app.
    func withPostgresApp(demo: Bool = true, _ body: (TestContext, any SQLDatabase) async throws -> Void) async throws {
        try await withApp(demo: demo, on: TestDatabase.enabled.filter { $0 == .postgres }) { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await body(t, sql)
        }
    }

    /// Runs `body` once per enabled database (or per one of `databases`) against a real app on a fresh schema with
    /// the demo county.
    func withApp(demo: Bool = true, on databases: [TestDatabase] = TestDatabase.enabled, _ body: (TestContext) async throws -> Void) async throws {
        for database in databases {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-test-\(UUID().uuidString)")
            var config = WanggeConfig(dataDirectory: directory.path, bcryptCost: 4)
            if database == .postgres {
                config.databaseURL = ProcessInfo.processInfo.environment["WANGGE_TEST_POSTGRES_URL"]
            }
            let app = try await Application.make(.testing)
            let clock = TestClock()
            app.clock = WanggeClock { clock.now }
            do {
                try await configure(app, config: config)
                // Stories sign in and report many times within one (frozen) minute; the limits have their own test.
                app.rateLimits = RateLimits(intakePerMinute: 10_000, trackPerMinute: 10_000, loginPerMinute: 10_000)
                if database == .postgres, let sql = app.db as? any SQLDatabase {
                    try await sql.raw("DROP SCHEMA public CASCADE").run()
                    try await sql.raw("CREATE SCHEMA public").run()
                }
                try await prepareDatabase(app)
                try await app.autoMigrate()
                if demo { try await DemoLoader(db: app.db).load(hasher: app.hasher) }
                try await body(TestContext(app: app, clock: clock, database: database))
            } catch {
                try? await app.asyncShutdown()
                try? FileManager.default.removeItem(at: directory)
                // PostgresNIO's errors say what went wrong only when reflected.
                XCTFail("[\(database.rawValue)] \(String(reflecting: error))")
                throw error
            }
            try await app.asyncShutdown()
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

extension TestContext {
    /// Signs in through the API and returns the bearer token.
    func token(_ username: String, password: String = DemoCounty.password) async throws -> String {
        var token = ""
        try await app.test(.POST, "/api/v1/auth/token", beforeRequest: { req in
            try req.content.encode(["username": username, "password": password], as: .json)
        }, afterResponse: { res async throws in
            XCTAssertEqual(res.status, .created, "sign-in of \(username) on \(database): \(res.body.string)")
            token = try res.content.get(String.self, at: "token")
        })
        return token
    }

    func bearer(_ token: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        return headers
    }

    /// A JSON request with a bearer token; returns status and body.
    @discardableResult
    func api(_ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable & Sendable)? = nil) async throws -> (status: HTTPStatus, body: String, headers: HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        try await app.test(method, path, beforeRequest: { req in
            if let token { req.headers.bearerAuthorization = BearerAuthorization(token: token) }
            if let json { try req.content.encode(AnyEncodable(json), as: .json) }
        }, afterResponse: { res async in
            result = (res.status, res.body.string, res.headers)
        })
        return result
    }
}

extension TestContext {
    func status(_ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable & Sendable)? = nil) async throws -> HTTPStatus {
        try await api(method, path, token: token, json: json).status
    }
}

struct AnyEncodable: Encodable, Content {
    let value: any Encodable & Sendable
    init(_ value: any Encodable & Sendable) { self.value = value }
    init(from decoder: any Decoder) throws { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "encode only")) }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension String {
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(utf8)) as? [String: Any] ?? [:]
    }

    func jsonArray() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(utf8)) as? [[String: Any]] ?? []
    }

    /// The part of a page from the first `start` to the first `end` after it, both included.
    func part(from start: String, to end: String) throws -> Substring {
        let from = try XCTUnwrap(range(of: start), "no \(start)")
        let to = try XCTUnwrap(self[from.upperBound...].range(of: end), "no \(end) after \(start)")
        return self[from.lowerBound..<to.upperBound]
    }
}

/// A browser's cookie jar for page tests.
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

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

}

extension TestContext {
    func get(_ path: String, _ browser: inout Browser) async throws -> (HTTPStatus, String, HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        let cookie = browser.cookieHeader
        try await app.test(.GET, path, beforeRequest: { req in
            if !cookie.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
        }, afterResponse: { res async in result = (res.status, res.body.string, res.headers) })
        browser.absorb(result.2)
        return result
    }

    func post(_ path: String, _ form: [String: String], _ browser: inout Browser) async throws -> (HTTPStatus, String, HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        let cookie = browser.cookieHeader
        try await app.test(.POST, path, beforeRequest: { req in
            if !cookie.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            try req.content.encode(form, as: .urlEncodedForm)
        }, afterResponse: { res async in result = (res.status, res.body.string, res.headers) })
        browser.absorb(result.2)
        return result
    }

    func signIn(_ username: String, _ browser: inout Browser) async throws {
        let (_, page, _) = try await get("/login", &browser)
        let token = try XCTUnwrap(Browser.csrf(in: page))
        let (status, _, headers) = try await post("/login", ["username": username, "password": DemoCounty.password, "_csrf": token], &browser)
        XCTAssertEqual(status, .seeOther, "login of \(username)")
        XCTAssertEqual(headers.first(name: .location), "/")
    }
}

extension SQLDatabase {
    /// SQLite's plan for a query (`EXPLAIN QUERY PLAN`), its lines joined, for tests of which index serves it.
    func queryPlan(_ query: SQLQueryString) async throws -> String {
        try await raw("EXPLAIN QUERY PLAN \(query)").all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
    }
}
