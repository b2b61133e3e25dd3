import FluentKit
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class PeopleAPITests: XCTestCase {
    func testAdminCreatesUsersOfEveryKind() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let handler = try await t.api(.POST, "/api/v1/users", token: token, json: AnyEncodable([
                "username": "handler-new", "password": "good-password", "role": "handler", "orgCode": "330110",
                "departmentCode": "330110-CG", "phone": "13800001111",
            ]))
            XCTAssertEqual(handler.status, .created, handler.body)
            XCTAssertEqual(try handler.body.json()["departmentCode"] as? String, "330110-CG")

            let worker = try await t.api(.POST, "/api/v1/users", token: token, json: UserInput(
                username: "grid-new", password: "good-password", role: "grid_worker", orgCode: "330110002001",
                gridCodes: ["330110002001-01", "330110002001-02"]))
            XCTAssertEqual(worker.status, .created, worker.body)
            // The new grid worker sees exactly the two grids they walk.
            let workerToken = try await t.token("grid-new", password: "good-password")
            let units = try await t.api(.GET, "/api/v1/org-units", token: workerToken).body.json()
            let codes = (units["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertEqual(codes, ["330110002001-01", "330110002001-02"])

            let shown = try await t.api(.GET, "/api/v1/users/handler-new", token: token)
            XCTAssertEqual(try shown.body.json()["phone"] as? String, "13800001111")
        }
    }

    func testBadUsersAreRejectedWithClearMessages() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let before = try await UserModel.query(on: t.app.db).count()
            let cases: [(UserInput, String)] = [
                (UserInput(username: "weak", password: "short", role: "dispatcher", orgCode: "330110"), "password.weak"),
                (UserInput(username: "who", password: "good-password", role: "mayor", orgCode: "330110"), "user.role"),
                (UserInput(username: "nodept", password: "good-password", role: "handler", orgCode: "330110"), "user.department_required"),
                (UserInput(username: "admin", password: "good-password", role: "dispatcher", orgCode: "330110"), "duplicate"),
                (UserInput(username: "bad name!", password: "good-password", role: "dispatcher", orgCode: "330110"), "user.username"),
                (UserInput(username: "wronggrid", password: "good-password", role: "grid_worker", orgCode: "330110001001",
                           gridCodes: ["330110002001-01"]), "user.grid"),
                (UserInput(username: "phone", password: "good-password", role: "leader", orgCode: "330110", phone: "call me"), "user.phone"),
            ]
            for (input, code) in cases {
                let r = try await t.api(.POST, "/api/v1/users", token: token, json: input)
                XCTAssertTrue([HTTPStatus.badRequest, .conflict].contains(r.status), "\(input.username): \(r.status) \(r.body)")
                XCTAssertEqual((try r.body.json()["error"] as? [String: Any])?["code"] as? String, code, r.body)
            }
            let after = try await UserModel.query(on: t.app.db).count()
            XCTAssertEqual(before, after)
        }
    }

    func testNonAdminsCannotManageUsersAndDepartments() async throws {
        try await withApp { t in
            for username in ["dispatcher", "leader", "grid1", "handler-cg", "citizen"] {
                let token = try await t.token(username)
                let list = try await t.status(.GET, "/api/v1/users", token: token)
                XCTAssertEqual(list, .forbidden, username)
                let create = try await t.status(.POST, "/api/v1/departments", token: token,
                                                json: DepartmentInput(code: "330110-NEW", name: "新部门", orgCode: "330110"))
                XCTAssertEqual(create, .forbidden, username)
            }
        }
    }

    func testDepartmentsAreScopedAndValidated() async throws {
        try await withApp { t in
            let township = try await t.token("dispatcher-ns")
            let visible = try await t.api(.GET, "/api/v1/departments", token: township).body.jsonArray().compactMap { $0["code"] as? String }
            XCTAssertEqual(visible, ["330110002-ZF"], "a township sees its own office, not the county's departments")

            let admin = try await t.token("admin")
            let created = try await t.api(.POST, "/api/v1/departments", token: admin,
                                          json: DepartmentInput(code: "330110-MZ", name: "区民政局", orgCode: "330110"))
            XCTAssertEqual(created.status, .created, created.body)
            let duplicate = try await t.status(.POST, "/api/v1/departments", token: admin,
                                               json: DepartmentInput(code: "330110-MZ", name: "又一个", orgCode: "330110"))
            XCTAssertEqual(duplicate, .conflict)
            let inVillage = try await t.status(.POST, "/api/v1/departments", token: admin,
                                               json: DepartmentInput(code: "330110-CUN", name: "村部门", orgCode: "330110001001"))
            XCTAssertEqual(inVillage, .badRequest)
        }
    }

    func testPhonesAreMaskedForRolesThatDoNotNeedThem() {
        XCTAssertEqual(PersonalData.maskPhone("13905710001"), "139****0001")
        XCTAssertEqual(PersonalData.maskIDNumber("330110199001011234"), "330110********1234")
        let user = UserModel()
        user.username = "x"
        user.displayName = "x"
        user.role = "leader"
        user.phone = "13905710001"
        XCTAssertEqual(UserDTO(user, revealPhone: false).phone, "139****0001")
        XCTAssertEqual(UserDTO(user, revealPhone: true).phone, "13905710001")
    }
}

final class CategoriesAPITests: XCTestCase {
    func testCategoriesArePublicAndAdminEditable() async throws {
        try await withApp { t in
            let list = try await t.api(.GET, "/api/v1/categories").body.jsonArray()
            XCTAssertTrue(list.contains { $0["code"] as? String == "0101" && $0["defaultDepartmentCode"] as? String == "330110-CG" })
            let tops = list.filter { $0["parentCode"] == nil }.compactMap { $0["name"] as? String }
            for name in ["城市管理", "环境保护", "市场监管", "劳动保障", "矛盾纠纷", "治安隐患", "公共设施", "交通出行", "教育", "医疗卫生"] {
                XCTAssertTrue(tops.contains(name), name)
            }
            let admin = try await t.token("admin")
            let created = try await t.api(.POST, "/api/v1/categories", token: admin,
                                          json: CategoryInput(code: "0107", name: "共享单车乱停", parentCode: "01", defaultLevel: "county", defaultDepartmentCode: "330110-CG"))
            XCTAssertEqual(created.status, .created, created.body)
            let bad = try await t.api(.POST, "/api/v1/categories", token: admin, json: CategoryInput(code: "0207", name: "错位", parentCode: "01"))
            XCTAssertEqual(bad.status, .badRequest)
            let dispatcher = try await t.token("dispatcher")
            let denied = try await t.status(.POST, "/api/v1/categories", token: dispatcher, json: CategoryInput(code: "0108", name: "x", parentCode: "01"))
            XCTAssertEqual(denied, .forbidden)
            let retired = try await t.api(.PATCH, "/api/v1/categories/0107", token: admin, json: CategoryInput(code: "0107", name: "共享单车乱停", active: false))
            XCTAssertEqual(retired.status, .ok)
            // A category added later goes after the others, whatever its code.
            let added = try await t.api(.POST, "/api/v1/categories", token: admin,
                                        json: CategoryInput(code: "0108", name: "广告乱贴", parentCode: "01", defaultDepartmentCode: "330110-CG"))
            XCTAssertEqual(added.status, .created, added.body)
            let after = try await t.api(.GET, "/api/v1/categories").body.jsonArray()
            XCTAssertFalse(after.contains { $0["code"] as? String == "0107" })
            XCTAssertEqual(after.last?["code"] as? String, "0108")
            // In the administrators' order: the report form and Open311's services list them so.
            let ordered = try await CategoryModel.query(on: t.app.db).filter(\.$active == true).all()
                .sorted { ($0.sort, $0.code) < ($1.sort, $1.code) }.map(\.code)
            XCTAssertEqual(after.compactMap { $0["code"] as? String }, ordered, "[\(t.database)]")
            XCTAssertGreaterThan(ordered.count, 30)
            // A retired category can no longer be chosen for a new report.
            let report = try await t.report(["channel": "citizen", "description": "单车堵住了盲道", "categoryCode": "0107"])
            XCTAssertEqual(report.status, .badRequest)
        }
    }
}
