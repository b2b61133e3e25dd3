import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Admin pages for departments and users.
struct AdminPeoplePagesController: RouteCollection {
    struct DepartmentRow {
        var code: String
        var name: String
        var orgName: String

        /// The departments' table rows.
        static func html(_ rows: [DepartmentRow]) -> String {
            rows.map { "<tr><td>" + Markup.escape($0.code) + "</td><td>" + Markup.escape($0.name) + "</td><td>" + Markup.escape($0.orgName) + "</td></tr>" }
                .joined()
        }
    }

    /// The departments and the new department's form, rows and choices written in Swift as the people list's are.
    struct DepartmentsContext: Encodable {
        var p: PageChrome
        /// The table's rows, empty when there are none.
        var departments: String
        /// The form's units with the asked one selected.
        var units: String
        var form: [String: String]
        var errors: [String: String]
    }

    struct UserRow {
        var username: String
        var displayName: String
        var roleName: String
        var orgName: String
        var department: String
        var phone: String

        /// The people list's table rows, written in Swift: Leaf copies the page's whole context at every turn of a loop.
        static func html(_ rows: [UserRow]) -> String {
            var out = ""
            for row in rows {
                out += "<tr><td>" + Markup.escape(row.username) + "</td><td>" + Markup.escape(row.displayName) + "</td><td>"
                    + Markup.escape(row.roleName) + "</td><td>" + Markup.escape(row.orgName) + "</td><td>"
                    + Markup.escape(row.department) + "</td><td>" + Markup.escape(row.phone) + "</td></tr>"
            }
            return out
        }
    }

    /// The people list and the new user's form. Rows and choices are `<tr>`s and `<option>`s written in Swift
    /// (`UserRow.html`, `SelectOptions`), each list's asked choice selected.
    struct UsersContext: Encodable {
        var p: PageChrome
        /// The list's rows, empty when no one matches.
        var rows: String
        /// The form's choices of role, unit and department.
        var roleOptions: String
        var unitOptions: String
        var departmentOptions: String
        /// The list's filters as asked, and their choices: the roles, and the units down to villages.
        var roleFilterOptions: String
        var unitFilterOptions: String
        var q: String
        /// How many people the filters find, and the next page's address when there is one.
        var total: Int
        var next: String?
        var filterError: String?
        var form: [String: String]
        var errors: [String: String]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("admin", "departments", use: departments)
        routes.post("admin", "departments", use: createDepartment)
        routes.getHeavy("admin", "users", use: users)
        routes.post("admin", "users", use: createUser)
    }

    @Sendable func departments(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        return try await req.page("admin-departments", departmentsContext(req, actor: actor, form: [:], errors: [:]))
    }

    @Sendable func createDepartment(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let input = try req.content.decode(DepartmentInput.self)
        do {
            _ = try await DepartmentService(db: req.database).create(input, by: actor)
            return req.redirect(to: "/admin/departments?notice=created")
        } catch let error as AppError where error.kind == .badRequest || error.kind == .conflict || error.kind == .notFound {
            let form = ["code": input.code, "name": input.name, "orgCode": input.orgCode]
            let errors = [error.field ?? "orgCode": error.message(english: req.isEnglish)]
            return try await req.page("admin-departments", departmentsContext(req, actor: actor, form: form, errors: errors), status: .badRequest)
        }
    }

    @Sendable func users(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        return try await req.page("admin-users", usersContext(req, actor: actor, form: [:], errors: [:]))
    }

    @Sendable func createUser(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        struct Form: Content {
            var username: String?
            var displayName: String?
            var password: String?
            var role: String?
            var orgCode: String?
            var departmentCode: String?
            var phone: String?
            var gridCodes: String?
        }
        let form = try req.content.decode(Form.self)
        let grids = (form.gridCodes ?? "").split(whereSeparator: { $0 == "," || $0 == "," || $0 == " " }).map(String.init)
        let input = UserInput(username: form.username ?? "", displayName: form.displayName, password: form.password ?? "",
                              role: form.role ?? "", orgCode: form.orgCode ?? "", departmentCode: form.departmentCode,
                              phone: form.phone, gridCodes: grids)
        do {
            _ = try await UserService(db: req.database).create(input, by: actor, hasher: req.hasher)
            return req.redirect(to: "/admin/users?notice=created")
        } catch let error as AppError where error.kind == .badRequest || error.kind == .conflict || error.kind == .notFound {
            let values = ["username": input.username, "displayName": form.displayName ?? "", "role": input.role,
                          "orgCode": input.orgCode, "departmentCode": form.departmentCode ?? "", "phone": form.phone ?? "",
                          "gridCodes": form.gridCodes ?? ""]
            let errors = [error.field ?? "username": error.message(english: req.isEnglish)]
            return try await req.page("admin-users", usersContext(req, actor: actor, form: values, errors: errors), status: .badRequest)
        }
    }

    /// The units of the admin's subtree down to `maxLevel`, as a tree (indented, in path order).
    func unitOptions(_ req: Request, actor: Actor, maxLevel: OrgLevel) async throws -> [PageOption] {
        try await OrgUnitService(db: req.database).choices(within: actor.scopes[0], levels: OrgLevel.allCases.filter { $0 <= maxLevel }, byPath: true)
            .map { PageOption(value: $0.code, label: String(repeating: "　", count: $0.level?.depth ?? 0) + "\($0.name)(\($0.code))") }
    }

    func departmentsContext(_ req: Request, actor: Actor, form: [String: String], errors: [String: String]) async throws -> DepartmentsContext {
        let rows = try await DepartmentService(db: req.database).list(for: actor).map {
            DepartmentRow(code: $0.code, name: $0.name, orgName: $0.orgUnit.name)
        }
        let units = try await unitOptions(req, actor: actor, maxLevel: .township)
        return DepartmentsContext(p: PageChrome(req, notice: req.notice), departments: DepartmentRow.html(rows),
                                  units: SelectOptions.html(units, selecting: form["orgCode"]), form: form, errors: errors)
    }

    func usersContext(_ req: Request, actor: Actor, form: [String: String], errors: [String: String]) async throws -> UsersContext {
        let english = req.isEnglish
        let asked = (role: req.query[String.self, at: "role"], unit: req.query[String.self, at: "within"], q: req.query[String.self, at: "q"])
        let service = UserService(db: req.database)
        // A filter the page cannot apply (typed into the address) shows why, above an empty list.
        var users: [UserService.ListedUser] = [], total = 0, next: String?, filterError: String?
        do {
            let filter = try UserFilter.parse(role: asked.role, unit: asked.unit, text: asked.q, after: req.query[String.self, at: "after"], limit: nil)
            let page = try await service.listed(filter, for: actor)
            (users, total, next) = (page.users, try await service.count(filter, for: actor), page.next.map { req.urlOfNextPage(after: $0) })
        } catch let error as AppError where error.kind == .badRequest || error.kind == .notFound {
            filterError = error.message(english: english)
        }
        let rows = users.map {
            UserRow(username: $0.username, displayName: $0.displayName,
                    roleName: english ? $0.userRole.nameEN : $0.userRole.nameZH,
                    orgName: $0.unitName, department: $0.departmentName ?? "", phone: $0.phone ?? "")
        }
        let departments = try await DepartmentService(db: req.database).list(for: actor).map { PageOption(value: $0.code, label: $0.name) }
        let units = try await unitOptions(req, actor: actor, maxLevel: .grid)
        let roles = Role.allCases.map { PageOption(value: $0.rawValue, label: english ? $0.nameEN : $0.nameZH) }
        return UsersContext(
            p: PageChrome(req, notice: req.notice), rows: UserRow.html(rows),
            roleOptions: SelectOptions.html(roles, selecting: form["role"]), unitOptions: SelectOptions.html(units, selecting: form["orgCode"]),
            departmentOptions: SelectOptions.html(departments, selecting: form["departmentCode"]),
            roleFilterOptions: SelectOptions.html(roles, selecting: asked.role ?? ""),
            unitFilterOptions: SelectOptions.html(units.filter { OrgCode.level(of: $0.value).map { $0 <= .village } ?? false }, selecting: asked.unit ?? ""),
            q: asked.q ?? "", total: total, next: next, filterError: filterError, form: form, errors: errors)
    }
}
