import FluentKit
import FluentSQL
import Foundation
import WanggeDomain

public struct UserInput: Codable, Sendable {
    public var username: String
    public var displayName: String?
    public var password: String
    public var role: String
    public var orgCode: String
    public var departmentCode: String?
    public var phone: String?
    public var gridCodes: [String]?

    public init(username: String, displayName: String? = nil, password: String, role: String, orgCode: String,
                departmentCode: String? = nil, phone: String? = nil, gridCodes: [String]? = nil) {
        self.username = username
        self.displayName = displayName
        self.password = password
        self.role = role
        self.orgCode = orgCode
        self.departmentCode = departmentCode
        self.phone = phone
        self.gridCodes = gridCodes
    }
}

/// Hashing is injected so this module stays free of Vapor (which owns bcrypt here). Async, so that the
/// web layer can run bcrypt on a thread pool instead of on the event loop serving other requests.
public struct PasswordHashing: Sendable {
    public let hash: @Sendable (String) async throws -> String
    public let verify: @Sendable (String, String) async throws -> Bool

    public init(hash: @escaping @Sendable (String) async throws -> String, verify: @escaping @Sendable (String, String) async throws -> Bool) {
        self.hash = hash
        self.verify = verify
    }
}

public struct UserService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// A page of `limit` from `rows` read one longer, and the cursor of the page after (its last username) when the
    /// extra row was there.
    private static func paged<Row>(_ rows: [Row], limit: Int, username: (Row) -> String) -> (users: [Row], next: String?) {
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        return (page, page.last.map(username))
    }

    /// A person as the people list shows them, their unit's and department's names beside them.
    public struct ListedUser: Sendable, PositionallyDecodable {
        public var username: String
        public var displayName: String
        public var role: String
        public var phone: String?
        public var unitName: String
        public var departmentName: String?
        public var unitCode: String
        public var departmentCode: String?

        static let columns = ["username", "display_name", "role", "phone", "unit_name", "department_name", "unit_code", "department_code"]
        static let select = #""users"."username", "users"."display_name", "users"."role", "users"."phone", "org_units"."name" AS "unit_name", "departments"."name" AS "department_name", "org_units"."code" AS "unit_code", "departments"."code" AS "department_code""#

        public init<Row: PositionalRow>(positions row: Row) throws {
            username = try row.string(0)
            displayName = try row.string(1)
            role = try row.string(2)
            phone = try row.optionalString(3)
            unitName = try row.string(4)
            departmentName = try row.optionalString(5)
            unitCode = try row.string(6)
            departmentCode = try row.optionalString(7)
        }

        public var userRole: Role { Role(rawValue: role) ?? .citizen }
    }

    /// One page of the people the administrator's filter asks for (the people list's and `/api/v1/users`'), in username
    /// order, with their unit and department. The scope is a condition on the users' units, so a page reads its own rows
    /// only: reading every user and dropping those out of scope took 120–190 ms a list at a thousand users, whatever was
    /// shown.
    ///
    /// Read as plain columns with the unit's and the department's names and codes joined in: whole models with their
    /// units (boundaries and all) and departments loaded were three fifths of the people list's CPU, most of it Fluent's
    /// property wrappers.
    ///
    /// `next` is the cursor of the page after, nil on the last: one row more than the page is read, so
    /// a list that ends on a full page offers no empty page after it.
    public func listed(_ filter: UserFilter, for actor: Actor) async throws -> (users: [ListedUser], next: String?) {
        var query = try await matching(filter, for: actor)
            .join(DepartmentModel.self, on: \UserModel.$department.$id == \DepartmentModel.$id, method: .left)
        if let after = filter.after { query = query.filter(\.$username > after) }
        let users = try await PlainReads.decoded(query.sort(\.$username).limit(filter.limit + 1), select: ListedUser.select,
                                                 columns: ListedUser.columns, as: ListedUser.self, on: db)
        return Self.paged(users, limit: filter.limit) { $0.username }
    }

    /// How many people the filter finds across all its pages.
    public func count(_ filter: UserFilter, for actor: Actor) async throws -> Int {
        try await matching(filter, for: actor).count()
    }

    private func matching(_ filter: UserFilter, for actor: Actor) async throws -> QueryBuilder<UserModel> {
        var query = UserModel.query(on: db).join(OrgUnitModel.self, on: \UserModel.$orgUnit.$id == \OrgUnitModel.$id)
            .filter(.group(actor.scopes.map(OrgUnitModel.filter(within:)), .or))
        if let code = filter.unitCode {
            query = query.filter(OrgUnitModel.filter(within: try await OrgUnitService(db: db).find(code: code, for: actor).scope))
        }
        if let role = filter.role { query = query.filter(\.$role == role.rawValue) }
        if let pattern = filter.likePattern {
            // Lower-cased on both sides, as PostgreSQL's LIKE minds case (SQLite's folds ASCII letters only, as its lower() does).
            let columns = ["username", "display_name", "phone"].map { column in
                DatabaseQuery.Filter.sql(embed: "lower(\(ident: UserModel.schema).\(ident: column)) LIKE \(bind: pattern) ESCAPE '\\'")
            }
            query = query.filter(.group(columns, .or))
        }
        return query
    }

    public func find(username: String, for actor: Actor) async throws -> UserModel {
        guard let user = try await UserModel.query(on: db).filter(\.$username == username)
            .with(\.$orgUnit).with(\.$department).first(),
            actor.canSee(user.orgUnit.ancestry)
        else { throw AppError.notFound("user") }
        return user
    }

    /// Creates a user. `actor == nil` is the command line, which may place a user anywhere.
    public func create(_ input: UserInput, by actor: Actor?, hasher: PasswordHashing) async throws -> UserModel {
        if let actor { try actor.requireAdmin() }
        let username = input.username.trimmingCharacters(in: .whitespaces)
        try UsernamePolicy.validate(username)
        let role = try Role.parse(input.role)
        try PasswordPolicy.validate(input.password, username: username)
        let phone = try Self.validPhone(input.phone)

        let unit: OrgUnitModel
        if let actor {
            unit = try await OrgUnitService(db: db).find(code: input.orgCode, for: actor)
        } else {
            guard let found = try await OrgUnitModel.query(on: db).filter(\.$code == input.orgCode).first() else {
                throw AppError.invalid("user.org", zh: "单位编码 \(input.orgCode) 不存在。", en: "No org unit \(input.orgCode).", field: "orgCode")
            }
            unit = found
        }

        var department: DepartmentModel?
        if let code = input.departmentCode?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            guard let found = try await DepartmentModel.query(on: db).filter(\.$code == code).with(\.$orgUnit).first(),
                  actor.map({ $0.canSee(found.orgUnit.ancestry) }) ?? true
            else {
                throw AppError.invalid("user.department", zh: "部门编码 \(code) 不存在。", en: "No department \(code).", field: "departmentCode")
            }
            department = found
        }
        if role.needsDepartment, department == nil {
            throw AppError.invalid("user.department_required", zh: "部门处置人员必须选择所属部门。",
                                   en: "A handler must belong to a department.", field: "departmentCode")
        }
        if !role.needsDepartment, department != nil {
            throw AppError.invalid("user.department_role", zh: "只有部门处置人员可以设置所属部门。",
                                   en: "Only handlers belong to a department.", field: "departmentCode")
        }
        let homeUnit = department?.orgUnit ?? unit

        var grids: [OrgUnitModel] = []
        for gridCode in input.gridCodes ?? [] where !gridCode.isEmpty {
            guard role == .gridWorker else {
                throw AppError.invalid("user.grids_role", zh: "只有网格员可以分配网格。", en: "Only grid workers walk grids.", field: "gridCodes")
            }
            guard let grid = try await OrgUnitModel.query(on: db).filter(\.$code == gridCode).first(),
                  grid.orgLevel == .grid, homeUnit.scope.contains(grid.ancestry)
            else {
                throw AppError.invalid("user.grid", zh: "网格 \(gridCode) 不存在或不在所属单位内。",
                                       en: "Grid \(gridCode) does not exist under the user's unit.", field: "gridCodes")
            }
            grids.append(grid)
        }

        if try await UserModel.query(on: db).filter(\.$username == username).count() > 0 {
            throw AppError.duplicate("username", value: username)
        }
        let user = UserModel()
        user.username = username
        let display = input.displayName?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        user.displayName = display.isEmpty ? username : String(display.prefix(60))
        user.passwordHash = try await hasher.hash(input.password)
        user.role = role.rawValue
        user.$orgUnit.id = try homeUnit.requireID()
        user.$department.id = try department?.requireID()
        user.phone = phone
        user.active = true
        user.failedLogins = 0
        let gridIDs = try grids.map { try $0.requireID() }
        try await db.writeTransaction { tx in
            try await user.create(on: tx)
            for gridID in gridIDs {
                try await GridAssignmentModel(gridID: gridID, userID: user.requireID()).create(on: tx)
            }
        }
        user.$orgUnit.value = homeUnit
        user.$department.value = .some(department)
        return user
    }

    public func changePassword(user: UserModel, current: String, new: String, hasher: PasswordHashing, now: Date) async throws {
        guard try await hasher.verify(current, user.passwordHash) else {
            throw AppError.invalid("password.current", zh: "当前密码不正确。", en: "The current password is wrong.", field: "currentPassword")
        }
        try PasswordPolicy.validate(new, username: user.username, field: "newPassword")
        user.passwordHash = try await hasher.hash(new)
        user.passwordChangedAt = now
        try await user.save(on: db)
    }

    /// A grid worker's grids, read with every request they make (their actor): one plain statement for the codes alone.
    /// Through Fluent it was two, the second reading each grid's whole row, boundary and all, an eighth of their page.
    public func gridCodes(of userID: UUID) async throws -> [String] {
        let statement: SQLQueryString = """
            SELECT o.code AS code FROM \(ident: GridAssignmentModel.schema) g JOIN \(ident: OrgUnitModel.schema) o ON o.id = g.grid_id \
            WHERE g.user_id = \(bind: userID)
            """
        return try await PlainReads.rows(statement, on: db).map { try $0.decode(column: "code", as: String.self) }.sorted()
    }

    static func validPhone(_ raw: String?) throws -> String? {
        guard let phone = raw?.trimmingCharacters(in: .whitespaces), !phone.isEmpty else { return nil }
        let ok = (5...20).contains(phone.count) && phone.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }
        guard ok else {
            throw AppError.invalid("user.phone", zh: "电话号码格式不正确。", en: "Invalid phone number.", field: "phone")
        }
        return phone
    }
}
