import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Every route × every kind of person → allowed or refused, generated from the route table: a route
/// that is not in the matrix fails the test, so nobody adds a door without deciding who may pass.
/// "Refused" is 401, 403, 404 or a redirect to the login page; anything else (including a 400 for
/// the deliberately empty form) means the request got past the gate.
final class AuthorizationMatrixTests: XCTestCase {
    enum Who: String, CaseIterable {
        case anonymous, citizen, gridWorker, dispatcher, otherTownship, handler, otherDepartment, leader, admin

        var username: String? {
            switch self {
            case .anonymous: nil
            case .citizen: "citizen"
            case .gridWorker: "grid1"
            case .dispatcher: "dispatcher"
            case .otherTownship: "dispatcher-ns"
            case .handler: "handler-cg"
            case .otherDepartment: "handler-sj"
            case .leader: "leader"
            case .admin: "admin"
            }
        }
    }

    static let everyone = Set(Who.allCases)
    static let signedIn = everyone.subtracting([.anonymous])
    static let staff = signedIn.subtracting([.citizen])
    static let admin: Set<Who> = [.admin]
    /// Those who may see the sample case (in 东湖, grid1's grid, dispatched to 城管局).
    static let caseReaders: Set<Who> = [.gridWorker, .dispatcher, .handler, .leader, .admin]
    /// Those who must call the reporter back.
    static let contact: Set<Who> = [.dispatcher, .handler]
    /// Those whose area holds 湖滨社区 (a grid worker sees only their grids; another township nothing).
    static let unitReaders = signedIn.subtracting([.gridWorker, .otherTownship])
    static let overview: Set<Who> = [.dispatcher, .otherTownship, .leader, .admin]

    /// Method and path (as in the route table) → who gets past the gate.
    static let matrix: [String: Set<Who>] = [
        "GET /": everyone, "GET /login": everyone, "POST /logout": everyone,
        "POST /login": [], // the empty form carries no password: refused (401) for everyone alike
        "GET /lang/:lang": everyone, "GET /healthz": everyone, "GET /metrics": everyone, "GET /api/docs": everyone,
        "GET /report": everyone, "POST /report": everyone, "GET /track": everyone, "GET /track/:queryCode": everyone,
        "POST /track/:queryCode/evaluation": everyone,
        "GET /account/password": signedIn, "POST /account/password": signedIn,
        "GET /admin/units": admin, "GET /admin/units/:code": admin, "POST /admin/units/:code/children": admin,
        "POST /admin/units/:code/name": admin, "POST /admin/units/:code/boundary": admin,
        "GET /admin/departments": admin, "POST /admin/departments": admin, "GET /admin/users": admin, "POST /admin/users": admin,
        "GET /admin/categories": admin, "POST /admin/categories": admin, "POST /admin/sla-rules": admin, "POST /admin/sla-thresholds": admin,
        "GET /maps/grids.svg": signedIn.subtracting([.gridWorker]), // their own area's map; a grid worker has no unit map of 湖滨社区's parent
        "GET /work": signedIn, "GET /cases/:code": caseReaders, "POST /cases/:code/act": caseReaders,
        "GET /cases/:code/photos/:id": caseReaders, "POST /cases/:code/contact": contact,
        "GET /grid": [.gridWorker], "GET /overview": overview, "GET /inbox": signedIn, "POST /inbox/read-all": signedIn,
        "POST /api/v1/auth/token": everyone, "DELETE /api/v1/auth/token": signedIn, "GET /api/v1/me": signedIn,
        "POST /api/v1/me/password": signedIn,
        "GET /api/v1/org-units": signedIn, "POST /api/v1/org-units": admin, "GET /api/v1/org-units/:code": unitReaders,
        "PATCH /api/v1/org-units/:code": admin, "GET /api/v1/org-units/:code/children": unitReaders,
        "GET /api/v1/grids/locate": everyone,
        "GET /api/v1/departments": signedIn, "POST /api/v1/departments": admin,
        "GET /api/v1/departments/:code": signedIn.subtracting([.gridWorker, .otherTownship]),
        "GET /api/v1/users": admin, "POST /api/v1/users": admin, "GET /api/v1/users/:username": admin, "GET /api/v1/access-log": admin,
        "POST /api/v1/cases": everyone, "GET /api/v1/cases": signedIn, "GET /api/v1/cases/:code": caseReaders,
        "GET /api/v1/cases/:code/events": caseReaders, "GET /api/v1/cases/:code/duplicates": caseReaders,
        "POST /api/v1/cases/:code/transitions": caseReaders, "GET /api/v1/cases/:code/attachments/:id": caseReaders,
        "POST /api/v1/cases/:code/contact": contact,
        "GET /api/v1/track/:queryCode": everyone, "POST /api/v1/track/:queryCode/evaluation": everyone,
        "GET /api/v1/track/:queryCode/photos/:id": [], // only photos of a result are public, and the sample has none yet
        "GET /api/v1/categories": everyone, "POST /api/v1/categories": admin, "PATCH /api/v1/categories/:code": admin,
        "GET /api/v1/notifications": signedIn, "POST /api/v1/notifications/:id/read": [.handler], "POST /api/v1/notifications/read-all": signedIn,
        "GET /api/v1/calendar/:year": signedIn, "PUT /api/v1/calendar/:year": admin, "PUT /api/v1/sla-rules": admin,
        "GET /api/v1/sla-thresholds": staff, "PUT /api/v1/sla-thresholds": admin,
        "GET /api/v1/warnings": staff.subtracting([.gridWorker]),
        "GET /api/v1/open311-keys": admin, "POST /api/v1/open311-keys": admin, "DELETE /api/v1/open311-keys/:id": admin,
        "GET /api/v1/openapi.json": everyone, "GET /api/v1/ping": everyone,
        "GET /api/v1/assessment/summary": overview, "GET /api/v1/assessment/rankings": overview, "GET /api/v1/assessment/index": overview,
        "GET /api/v1/assessment/settings": overview, "PUT /api/v1/assessment/settings": admin,
        "GET /assessment": overview, "GET /assessment/index": overview, "GET /dashboard": overview, "GET /reports": overview,
        "GET /reports/export.csv": overview, "GET /reports/export.xlsx": overview,
        "GET /admin/assessment": admin, "POST /admin/assessment": admin,
        "GET /open311/v2/:file": everyone, "POST /open311/v2/:file": [], // needs an api_key, which no person has
        "GET /open311/v2/services/:file": everyone, "GET /open311/v2/requests/:file": everyone, "GET /open311/v2/tokens/:file": everyone,
        "GET /open311/v2/media/:code/:id": everyone,
    ]

    func testEveryRouteForEveryKindOfPerson() async throws {
        try await withApp { t in
            // The sample case: a citizen's report with a photo in grid1's grid, dispatched to 城管局.
            let spot = try t.centre(of: "330110001001-01")
            let intake = try await t.multipart("/api/v1/cases", fields: [("channel", "citizen"), ("description", "授权矩阵的样例事件"),
                                                                         ("categoryCode", "0101"), ("lat", "\(spot.lat)"), ("lon", "\(spot.lon)"),
                                                                         ("reporterPhone", "13900001111")],
                                               files: [Upload(name: "photos[]", filename: "a.png", contentType: "image/png", data: tinyPNG)])
            let code = try XCTUnwrap(intake.json["code"] as? String)
            let queryCode = try XCTUnwrap(intake.json["queryCode"] as? String)
            let dispatcherToken = try await t.token("dispatcher-dh")
            try await t.act(code, "register", token: dispatcherToken)
            try await t.act(code, "dispatch", token: dispatcherToken, ["departmentCode": "330110-CG"])
            let model = try await CaseModel.query(on: t.app.db).filter(\.$code == code).first()!
            let attachment = try await AttachmentModel.query(on: t.app.db).filter(\.$caseID == model.requireID()).first()!.id!
            let handlerUser = try await UserModel.query(on: t.app.db).filter(\.$username == "handler-cg").first()!
            let notification = try await NotificationModel.query(on: t.app.db).filter(\.$user.$id == handlerUser.requireID()).first()!.id!
            let key = try await APIClientModel.query(on: t.app.db).first()!.id!

            let values: [String: String] = [
                "code": code, "queryCode": queryCode, "id": "\(attachment)", "username": "grid1", "year": "2026", "lang": "en",
                "file": "services.json",
            ]
            func concrete(_ method: HTTPMethod, _ path: [PathComponent]) -> String {
                "/" + path.map { component -> String in
                    let text = component.description
                    guard text.hasPrefix(":") else { return text }
                    let name = String(text.dropFirst())
                    if name == "code", path.first?.description == "admin" { return "330110001001" }
                    if name == "code", path.count > 2, path[2].description == "org-units" { return "330110001001" }
                    if name == "code", path.count > 2, path[2].description == "departments" { return "330110-CG" }
                    if name == "code", path.count > 2, path[2].description == "categories" { return "0101" }
                    if name == "id", path.contains(where: { $0.description == "notifications" }) { return "\(notification)" }
                    if name == "id", path.contains(where: { $0.description == "open311-keys" }) { return key.uuidString }
                    if name == "file", path.contains(where: { $0.description == "requests" }) { return "\(code).json" }
                    if name == "file", path.contains(where: { $0.description == "services" }) { return "0101.json" }
                    if name == "file", path.contains(where: { $0.description == "tokens" }) { return "\(queryCode).json" }
                    if name == "file", method == .POST { return "requests.json" }
                    return values[name] ?? "x"
                }.joined(separator: "/")
            }

            var missing: [String] = []
            var wrong: [String] = []
            for route in t.app.routes.all {
                let key = "\(route.method.rawValue) /\(route.path.map(\.description).joined(separator: "/"))"
                guard let allowed = Self.matrix[key] else {
                    missing.append(key)
                    continue
                }
                let path = concrete(route.method, route.path)
                let isPage = !path.hasPrefix("/api/") && !path.hasPrefix("/open311/")
                for who in Who.allCases {
                    let (status, location) = try await request(t, route.method, path, as: who, page: isPage)
                    let refused = [401, 403, 404].contains(Int(status.code)) || (location?.hasPrefix("/login?next=") ?? false)
                    if refused == allowed.contains(who) {
                        wrong.append("\(key) as \(who.rawValue): \(status.code)\(location.map { " → \($0)" } ?? "") (expected \(allowed.contains(who) ? "allowed" : "refused"))")
                    }
                    XCTAssertLessThan(status.code, 500, "\(key) as \(who.rawValue)")
                }
            }
            XCTAssertEqual(missing, [], "routes with no row in the authorization matrix")
            XCTAssertEqual(wrong, [], "\n" + wrong.joined(separator: "\n"))
        }
    }

    /// One request as that person: a fresh bearer token for the API, a fresh signed-in session
    /// (with its CSRF token) for pages. Bodies are empty forms: the gate is what is tested.
    func request(_ t: TestContext, _ method: HTTPMethod, _ path: String, as who: Who, page: Bool) async throws -> (HTTPStatus, String?) {
        var browser = Browser()
        var token: String?
        var csrf = ""
        if let username = who.username {
            if page {
                try await t.signIn(username, &browser)
                let (_, home, _) = try await t.get("/", &browser)
                csrf = Browser.csrf(in: home) ?? ""
            } else {
                token = try await t.token(username)
            }
        } else if page {
            let (_, login, _) = try await t.get("/login", &browser)
            csrf = Browser.csrf(in: login) ?? ""
        }
        var result: (HTTPStatus, String?) = (.internalServerError, nil)
        let cookie = browser.cookieHeader
        try await t.app.test(method, path, beforeRequest: { req in
            if let token { req.headers.bearerAuthorization = BearerAuthorization(token: token) }
            if !cookie.isEmpty { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            if method != .GET {
                if page {
                    try req.content.encode(["_csrf": csrf], as: .urlEncodedForm)
                } else {
                    req.headers.contentType = .json
                    req.body = ByteBuffer(string: "{}")
                }
            }
        }, afterResponse: { res async in
            result = (res.status, res.headers.first(name: .location))
        })
        return result
    }
}
