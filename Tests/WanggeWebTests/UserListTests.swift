import Fluent
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// An administrator finds people in a county of a thousand: by text, role and unit, a page at a time.
final class UserListTests: XCTestCase {
    /// Five survey workers in 东湖街道's first village and one in 南山镇, each with a name and a phone.
    private func addSurveyWorkers(_ t: TestContext, token: String) async throws {
        let people: [(String, String, String, String)] = [
            ("survey-01", "普查员甲", "330110001001", "13900000101"), ("survey-02", "普查员乙", "330110001001", "13900000102"),
            ("survey-03", "普查员丙", "330110001001", "13900000103"), ("survey-04", "普查50%组", "330110001001", "13900000104"),
            ("survey-05", "普查500组", "330110001001", "13900000105"), ("survey-ns", "南山普查员", "330110002", "13900000199"),
        ]
        for (username, name, unit, phone) in people {
            let r = try await t.api(.POST, "/api/v1/users", token: token, json: UserInput(
                username: username, displayName: name, password: "good-password", role: "dispatcher", orgCode: unit, phone: phone))
            XCTAssertEqual(r.status, .created, r.body)
        }
    }

    /// Usernames of a list page, and its `next`.
    private func usernames(_ t: TestContext, _ path: String, token: String) async throws -> (names: [String], next: String?) {
        let r = try await t.api(.GET, path, token: token)
        XCTAssertEqual(r.status, .ok, "\(path): \(r.body)")
        let page = try r.body.json()
        return ((page["items"] as? [[String: Any]] ?? []).compactMap { $0["username"] as? String }, page["next"] as? String)
    }

    func testAdminPagesThroughThePeopleTheTextFinds() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            try await addSurveyWorkers(t, token: token)

            var seen: [String] = []
            var path = "/api/v1/users?q=survey&limit=2"
            var pages = 0
            while true {
                let page = try await usernames(t, path, token: token)
                seen += page.names
                pages += 1
                guard let next = page.next else { break }
                path = "/api/v1/users?q=survey&limit=2&after=\(next)"
            }
            XCTAssertEqual(seen, ["survey-01", "survey-02", "survey-03", "survey-04", "survey-05", "survey-ns"])
            XCTAssertEqual(pages, 3)

            // Upper case finds the same on both databases; a name, a phone's digits and a unit narrow it.
            let caseless = try await usernames(t, "/api/v1/users?q=SURVEY-0&limit=200", token: token).names
            XCTAssertEqual(caseless, ["survey-01", "survey-02", "survey-03", "survey-04", "survey-05"])
            let byName = try await usernames(t, "/api/v1/users?q=" + "普查员".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, token: token).names
            XCTAssertEqual(byName, ["survey-01", "survey-02", "survey-03", "survey-ns"])
            let byPhone = try await usernames(t, "/api/v1/users?q=00000103", token: token).names
            XCTAssertEqual(byPhone, ["survey-03"])
            let inNanshan = try await usernames(t, "/api/v1/users?q=survey&within=330110002", token: token).names
            XCTAssertEqual(inNanshan, ["survey-ns"])
            // "50%" is text, not a pattern: 普查500组 is not found by it.
            let literal = try await usernames(t, "/api/v1/users?q=50%25", token: token).names
            XCTAssertEqual(literal, ["survey-04"])

            // Without text: the role and the admin's own subtree. The city's admin is above the county's.
            let handlers = try await usernames(t, "/api/v1/users?role=handler&limit=200", token: token).names
            XCTAssertFalse(handlers.isEmpty)
            XCTAssertTrue(handlers.allSatisfy { $0.hasPrefix("handler-") }, "\(handlers)")
            let everyone = try await usernames(t, "/api/v1/users?limit=200", token: token).names
            XCTAssertEqual(everyone, everyone.sorted())
            XCTAssertTrue(everyone.contains("grid1") && everyone.contains("survey-ns"))
            XCTAssertFalse(everyone.contains("cityadmin"))
            let cityToken = try await t.token("cityadmin")
            let fromTheCity = try await usernames(t, "/api/v1/users?q=admin", token: cityToken).names
            XCTAssertEqual(fromTheCity, ["admin", "cityadmin"])
        }
    }

    /// Each person of `/api/v1/users`, a page at a time, as their own records have them: role, unit, department and the
    /// whole phone (for an administrator). The list reads plain columns, the unit's and department's codes joined in.
    func testEachPersonOfTheAPIListIsAsStored() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            try await addSurveyWorkers(t, token: token)
            let stored = try await UserModel.query(on: t.app.db).with(\.$orgUnit).with(\.$department).all()
            let byName = Dictionary(uniqueKeysWithValues: stored.map { ($0.username, $0) })
            var listed: [[String: Any]] = []
            var after: String?
            repeat {
                let page = try await t.api(.GET, "/api/v1/users?limit=7" + (after.map { "&after=\($0)" } ?? ""), token: token).body.json()
                listed += page["items"] as? [[String: Any]] ?? []
                after = page["next"] as? String
            } while after != nil && listed.count < 500
            XCTAssertEqual(listed.count, stored.filter { $0.orgUnit.code.hasPrefix("330110") }.count,
                           "[\(t.database)] the county administrator sees everyone of the county")
            XCTAssertTrue(listed.contains { $0["departmentCode"] != nil }, "handlers are among them")
            for item in listed {
                let username = try XCTUnwrap(item["username"] as? String)
                let user = try XCTUnwrap(byName[username], username)
                XCTAssertEqual(item["displayName"] as? String, user.displayName, username)
                XCTAssertEqual(item["role"] as? String, user.role, username)
                XCTAssertEqual(item["roleName"] as? String, user.userRole.nameZH, username)
                XCTAssertEqual(item["orgCode"] as? String, user.orgUnit.code, username)
                XCTAssertEqual(item["departmentCode"] as? String, user.department?.code, username)
                XCTAssertEqual(item["phone"] as? String, user.phone, username)
            }
        }
    }

    func testBadListFiltersGetA400OrA404AndNeverAList() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let bad: [(String, HTTPStatus, String)] = [
                ("limit=0", .badRequest, "page.limit"), ("limit=201", .badRequest, "page.limit"), ("limit=many", .badRequest, "page.limit"),
                ("q=" + String(repeating: "a", count: 51), .badRequest, "users.text"), ("within=3301", .badRequest, "users.unit"),
                ("role=mayor", .badRequest, "user.role"),
                // Another county: outside the admin's subtree, answered as if it did not exist.
                ("within=330120", .notFound, "not_found"), ("within=330110999", .notFound, "not_found"),
            ]
            for (query, status, code) in bad {
                let r = try await t.api(.GET, "/api/v1/users?" + query, token: token)
                XCTAssertEqual(r.status, status, "\(query): \(r.body)")
                XCTAssertEqual((try r.body.json()["error"] as? [String: Any])?["code"] as? String, code, "\(query): \(r.body)")
            }
        }
    }

    /// The page: the count found, the rows, and a next page that keeps the filters.
    func testTheUsersPageSearchesAndPagesWithItsFilters() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            try await addSurveyWorkers(t, token: token)
            // 51 more in the village, so the text's list runs past one page of 50.
            for i in 1...51 {
                let r = try await t.api(.POST, "/api/v1/users", token: token, json: UserInput(
                    username: String(format: "survey-x%02d", i), displayName: "普查员\(i)号", password: "good-password",
                    role: "grid_worker", orgCode: "330110001001"))
                XCTAssertEqual(r.status, .created, r.body)
            }
            var browser = Browser()
            try await t.signIn("admin", &browser)
            // As after adding someone: the notice shows on this page only.
            let (status, first, _) = try await t.get("/admin/users?q=survey&within=330110001&notice=created", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(first.contains("符合条件的用户:56"), "five survey workers and 51 more in 东湖街道")
            XCTAssertTrue(first.contains(">survey-01<"))
            XCTAssertFalse(first.contains(">survey-ns<"), "南山镇 is outside the unit asked for")
            XCTAssertFalse(first.contains(">grid1<"))
            XCTAssertTrue(first.contains(">survey-x45<"))
            XCTAssertFalse(first.contains(">survey-x46<"), "fifty a page")
            XCTAssertTrue(first.contains("value=\"survey\""), "the search box keeps its text")
            XCTAssertTrue(first.contains("<option value=\"330110001\" selected>"), "the unit asked for stays chosen")
            XCTAssertFalse(first.contains("<option value=\"330110001001-01\" selected>") || first.contains("<option value=\"grid_worker\" selected>"))
            let filterUnits = try XCTUnwrap(first.firstMatch(of: /<select id="unitFilter"[^>]*>(.*?)<\/select>/)?.1)
            let formUnits = try XCTUnwrap(first.firstMatch(of: /<select id="orgCode"[^>]*>(.*?)<\/select>/)?.1)
            XCTAssertTrue(filterUnits.contains("value=\"330110001001\"") && !filterUnits.contains("value=\"330110001001-01\""),
                          "the list's units stop at villages")
            XCTAssertTrue(formUnits.contains("value=\"330110001001-01\""), "a new user may be placed in a grid")
            let (_, byRole, _) = try await t.get("/admin/users?role=grid_worker", &browser)
            XCTAssertEqual(byRole.matches(of: /<option value="grid_worker" selected>/).count, 1, "the role filter keeps the role, the new user's form does not")
            let next = try XCTUnwrap(first.range(of: #"href="([^"]+)" rel="next""#, options: .regularExpression).map { String(first[$0]) })
            let href = String(next.dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            XCTAssertTrue(href.contains("q=survey") && href.contains("within=330110001") && href.contains("after=survey-x45"), href)
            XCTAssertFalse(href.contains("notice"), href)

            let (_, second, _) = try await t.get(href, &browser)
            XCTAssertTrue(second.contains(">survey-x46<") && second.contains(">survey-x51<"))
            XCTAssertFalse(second.contains(">survey-x45<"))
            XCTAssertFalse(second.contains("rel=\"next\""), "the last page")

            // Each row as the person's own records have it: role, unit, department (none for most) and phone.
            for username in ["handler-cg", "grid1", "dispatcher-dh", "admin"] {
                let found = try await UserModel.query(on: t.app.db).filter(\.$username == username).with(\.$orgUnit).with(\.$department).first()
                let user = try XCTUnwrap(found)
                let (_, page, _) = try await t.get("/admin/users?q=\(username)", &browser)
                let row = "<tr><td>\(username)</td><td>\(user.displayName)</td><td>\(user.userRole.nameZH)</td><td>\(user.orgUnit.name)</td><td>"
                    + "\(user.department?.name ?? "")</td><td>\(user.phone ?? "")</td></tr>"
                XCTAssertTrue(page.contains(row), "[\(t.database)] \(row)")
            }

            let (badStatus, bad, _) = try await t.get("/admin/users?within=3301", &browser)
            XCTAssertEqual(badStatus, .ok)
            XCTAssertTrue(bad.contains("id=\"filter-error\""))
            XCTAssertTrue(bad.contains("单位编码「3301」格式不对"))
        }
    }
}
