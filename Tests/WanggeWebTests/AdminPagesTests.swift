import Fluent
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// The admin's work through the pages: forms, Chinese errors next to the field, a boundary preview.
final class AdminPagesTests: XCTestCase {
    func testAdminCreatesAGridWithPreviewThenSave() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (status, village, _) = try await t.get("/admin/units/330110003002", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(village.contains("梅家坞村"))
            XCTAssertTrue(village.contains("<svg"), "the village page shows its grids on a map")
            XCTAssertTrue(village.contains("330110003002-01"))
            let csrf = try XCTUnwrap(Browser.csrf(in: village))

            let geometry = OrgUnitsAPITests.square
            let (previewStatus, preview, _) = try await t.post("/admin/units/330110003002/children", [
                "_csrf": csrf, "code": "330110003002-04", "name": "梅家坞村第四网格", "geojsonText": geometry, "action": "preview",
            ], &browser)
            XCTAssertEqual(previewStatus, .ok)
            XCTAssertTrue(preview.contains("class=\"highlight\""), "the uploaded boundary is drawn for checking")
            let nothingYet = try await OrgUnitModel.query(on: t.app.db).filter(\.$code == "330110003002-04").count()
            XCTAssertEqual(nothingYet, 0, "a preview saves nothing")

            let (saveStatus, _, headers) = try await t.post("/admin/units/330110003002/children", [
                "_csrf": csrf, "code": "330110003002-04", "name": "梅家坞村第四网格", "geometry": geometry, "action": "save",
            ], &browser)
            XCTAssertEqual(saveStatus, .seeOther)
            XCTAssertEqual(headers.first(name: .location), "/admin/units/330110003002-04?notice=created")
            let (_, created, _) = try await t.get("/admin/units/330110003002-04?notice=created", &browser)
            XCTAssertTrue(created.contains("已创建"))
            XCTAssertTrue(created.contains("梅家坞村第四网格"))
            // The maps draw grids from the index intake locates with; a new grid is on them at once.
            let (_, villageAfter, _) = try await t.get("/admin/units/330110003002", &browser)
            let map = try XCTUnwrap(villageAfter.range(of: "<svg").flatMap { start in villageAfter[start.lowerBound...].range(of: "</svg>").map { villageAfter[start.lowerBound..<$0.upperBound] } })
            XCTAssertTrue(map.contains("330110003002-04"), "the village map draws the new grid")
        }
    }

    func testBadBoundaryShowsTheChineseErrorNextToTheField() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (_, page, _) = try await t.get("/admin/units/330110003002", &browser)
            let csrf = try XCTUnwrap(Browser.csrf(in: page))
            let bowTie = "{\"type\":\"Polygon\",\"coordinates\":[[[120,30],[120.01,30.01],[120.01,30],[120,30.01],[120,30]]]}"
            let (status, body, _) = try await t.post("/admin/units/330110003002/children", [
                "_csrf": csrf, "code": "330110003002-04", "name": "坏网格", "geojsonText": bowTie, "action": "preview",
            ], &browser)
            XCTAssertEqual(status, .badRequest)
            XCTAssertTrue(body.contains("id=\"geometry-error\""))
            XCTAssertTrue(body.contains("边界数据有误"))
            XCTAssertTrue(body.contains("value=\"坏网格\""), "what the admin typed is kept")

            let (dupStatus, dup, _) = try await t.post("/admin/units/330110003/children", [
                "_csrf": csrf, "code": "330110003001", "name": "重复的村", "action": "save",
            ], &browser)
            XCTAssertEqual(dupStatus, .badRequest)
            XCTAssertTrue(dup.contains("id=\"code-error\""))
            XCTAssertTrue(dup.contains("已存在"))
        }
    }

    func testAdminCreatesDepartmentAndUserThroughForms() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (_, page, _) = try await t.get("/admin/departments", &browser)
            XCTAssertTrue(page.contains("区城管局"))
            let csrf = try XCTUnwrap(Browser.csrf(in: page))
            let (created, _, _) = try await t.post("/admin/departments", ["_csrf": csrf, "code": "330110-MZ", "name": "区民政局", "orgCode": "330110"], &browser)
            XCTAssertEqual(created, .seeOther)

            let (weakStatus, weak, _) = try await t.post("/admin/users", [
                "_csrf": csrf, "username": "newbie", "password": "123", "role": "dispatcher", "orgCode": "330110", "departmentCode": "330110-MZ",
            ], &browser)
            XCTAssertEqual(weakStatus, .badRequest)
            XCTAssertTrue(weak.contains("id=\"password-error\""))
            XCTAssertTrue(weak.contains("密码至少需要 8 个字符"))
            // The form comes back with the choices made, and the list's filters as they were (none).
            func selected(_ id: String) -> [String] {
                guard let list = weak.firstMatch(of: try! Regex("<select id=\"\(id)\"[^>]*>(.*?)</select>")) else { return ["no select \(id)"] }
                return String(list.output[1].substring ?? "").matches(of: /<option value="([^"]*)" selected>/).map { String($0.1) }
            }
            XCTAssertEqual(selected("role"), ["dispatcher"])
            XCTAssertEqual(selected("orgCode"), ["330110"])
            XCTAssertEqual(selected("departmentCode"), ["330110-MZ"])
            XCTAssertEqual(selected("roleFilter"), [])
            XCTAssertEqual(selected("unitFilter"), [])
            XCTAssertTrue(weak.contains("<option value=\"handler\">"), "every role offered")

            let (ok, _, _) = try await t.post("/admin/users", [
                "_csrf": csrf, "username": "newbie", "password": "long-enough-1", "role": "handler", "orgCode": "330110",
                "departmentCode": "330110-MZ", "phone": "13700001234",
            ], &browser)
            XCTAssertEqual(ok, .seeOther)
            let (_, list, _) = try await t.get("/admin/users?role=handler", &browser)
            XCTAssertTrue(list.contains("newbie"))
            XCTAssertTrue(list.contains("区民政局"))
            XCTAssertFalse(list.contains(">grid1<"), "the role filter applies")
        }
    }

    /// The taxonomy page lists each active category once in its table, the top ones marked, and once among a rule's
    /// choices; a new category's parents are the top ones and its departments come in code order. A retired category and
    /// markup in a name stay out of the page's markup.
    func testTheCategoriesPageListsEachActiveCategoryInTheTableAndTheRuleChoices() async throws {
        try await withApp { t in
            let admin = try await t.token("admin")
            let retired = try await t.api(.POST, "/api/v1/categories", token: admin,
                                          json: CategoryInput(code: "0198", name: "停用小类", parentCode: "01", active: false))
            XCTAssertEqual(retired.status, .created, retired.body)
            let odd = try await t.api(.POST, "/api/v1/categories", token: admin, json: CategoryInput(code: "0199", name: "<b>井盖</b> & 路面", parentCode: "01"))
            XCTAssertEqual(odd.status, .created, odd.body)
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (status, page, _) = try await t.get("/admin/categories", &browser)
            XCTAssertEqual(status, .ok)
            let categories = try await CategoryModel.query(on: t.app.db).filter(\.$active == true).all()
            let table = page.matches(of: /<tr( class="top")?><td>([0-9]+)<\/td><td>([^<]*)<\/td>/).map { (top: $0.1 != nil, code: String($0.2), name: String($0.3)) }
            XCTAssertEqual(table.map(\.code).sorted(), categories.map(\.code).sorted(), "each active category once")
            XCTAssertEqual(Set(table.filter(\.top).map(\.code)), Set(categories.filter { $0.parentCode == nil }.map(\.code)), "the top ones marked")
            XCTAssertTrue(table.contains { $0.code == "0199" && $0.name == "&lt;b&gt;井盖&lt;/b&gt; &amp; 路面" })
            let ruleChoices = try XCTUnwrap(page.firstMatch(of: /<select id="rule-category"[^>]*>(.*?)<\/select>/)?.1)
            XCTAssertEqual(ruleChoices.matches(of: /<option value="([0-9]+)">\1 [^<]*<\/option>/).map { String($0.1) }, table.map(\.code), "the same categories as choices")
            let parents = try XCTUnwrap(page.firstMatch(of: /<select id="parentCode"[^>]*>(.*?)<\/select>/)?.1)
            XCTAssertEqual(parents.matches(of: /<option value="([0-9]+)">/).map { String($0.1) }, table.filter(\.top).map(\.code))
            let departments = try XCTUnwrap(page.firstMatch(of: /<select id="defaultDepartmentCode"[^>]*>(.*?)<\/select>/)?.1)
            let codes = departments.matches(of: /<option value="([^"]+)">/).map { String($0.1) }
            XCTAssertEqual(codes, codes.sorted())
            XCTAssertTrue(codes.contains("330110-CG"))
        }
    }

    func testNonAdminsGetA403PageAndVisitorsTheLoginPage() async throws {
        try await withApp { t in
            var visitor = Browser()
            let (status, _, headers) = try await t.get("/admin/users", &visitor)
            XCTAssertEqual(status, .seeOther)
            XCTAssertEqual(headers.first(name: .location), "/login?next=%2Fadmin%2Fusers")

            var dispatcher = Browser()
            try await t.signIn("dispatcher", &dispatcher)
            let (forbidden, body, _) = try await t.get("/admin/users", &dispatcher)
            XCTAssertEqual(forbidden, .forbidden)
            XCTAssertTrue(body.contains("只有管理员可以执行此操作"))

            // A county admin cannot open the city or another county's units: 404, like a missing one.
            var admin = Browser()
            try await t.signIn("admin", &admin)
            let (cityStatus, _, _) = try await t.get("/admin/units/330100", &admin)
            XCTAssertEqual(cityStatus, .notFound)
        }
    }

    func testUserNamesAreEscapedInPages() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let r = try await t.api(.POST, "/api/v1/users", token: token, json: UserInput(
                username: "xss", displayName: "<script>alert(1)</script>", password: "good-password", role: "leader", orgCode: "330110"))
            XCTAssertEqual(r.status, .created)
            var browser = Browser()
            try await t.signIn("admin", &browser)
            let (_, list, _) = try await t.get("/admin/users", &browser)
            XCTAssertFalse(list.contains("<script>alert(1)</script>"))
            XCTAssertTrue(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
