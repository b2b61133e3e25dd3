import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// The signed-in user of a request, with the session or token that signed them in. Only what every
/// request needs; the few that change the user or end the session load or delete the rows by id.
struct CurrentUser: Authenticatable {
    var actor: Actor
    var sessionID: UUID
    var csrfToken: String

    /// Signs this session or token out.
    func endSession(on db: any Database) async throws {
        try await AuthSessionModel.query(on: db).filter(\.$id == sessionID).delete()
    }

    /// The user's row, for changing it; a user removed since signing in is signed out.
    func loadUser(on db: any Database) async throws -> UserModel {
        guard let user = try await UserModel.find(actor.userID, on: db) else { throw Request.signInRequired }
        return user
    }
}

extension Request {
    var currentUser: CurrentUser? { auth.get(CurrentUser.self) }

    /// The actor or 401: for routes that need a signed-in user.
    func requireActor() throws -> Actor {
        guard let current = currentUser else { throw Self.signInRequired }
        return current.actor
    }

    static let signInRequired = AppError(.unauthorized, code: "auth.required", zh: "请先登录。", en: "Please sign in.")

    var hasher: PasswordHashing { application.hasher }
}

extension Application {
    /// bcrypt takes a quarter of a second at cost 12: it runs on NIO's thread pool, never on an event loop,
    /// where it would hold up every request on that loop.
    var hasher: PasswordHashing {
        let cost = wanggeConfig.bcryptCost
        let pool = threadPool
        return PasswordHashing(hash: { password in try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) } },
                               verify: { password, hash in try await pool.runIfActive { try Bcrypt.verify(password, created: hash) } })
    }
}

/// Reads the session cookie (pages) or the bearer token (API) and signs the user in for the request.
/// The API accepts bearer tokens only, so a browser's cookie can never be used to forge an API call.
struct SessionAuthenticator: AsyncMiddleware {
    static let cookieName = "wangge_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let isAPI = request.isUnder("api")
        let secret: String?
        let kind: AuthSessionModel.Kind
        if isAPI {
            secret = request.headers.bearerToken
            kind = .api
        } else {
            secret = request.cookie(named: Self.cookieName)
            kind = .web
        }
        if let secret, !secret.isEmpty, let current = try await Self.load(secret: secret, kind: kind, on: request) {
            request.auth.login(current)
            if kind == .web, current.actor.role.isStaff, request.method == .GET {
                // The unread badge in the page header, counted up to its cap.
                request.storage[UnreadCountKey.self] = try await Inbox(db: request.database)
                    .unreadCount(of: current.actor.userID, upTo: Inbox.badgeCap)
            }
        }
        return try await next.respond(to: request)
    }

    /// Runs on every signed-in request: the session, its user, their unit and department in one
    /// plain statement, read by column. Two statements decoded into whole models cost as much as the
    /// rest of a trivial request.
    static func load(secret: String, kind: AuthSessionModel.Kind, on request: Request) async throws -> CurrentUser? {
        let statement: SQLQueryString = """
            SELECT s.id AS session_id, s.kind AS session_kind, s.csrf_token, s.expires_at, \(unsafeRaw: actorColumns)
            FROM \(unsafeRaw: AuthSessionModel.schema) s JOIN \(unsafeRaw: UserModel.schema) u ON u.id = s.user_id \(unsafeRaw: actorJoins)
            WHERE s.token_hash = \(bind: Tokens.hash(secret))
            """
        guard let row = try await PlainReads.rows(statement, on: request.database).first,
              try row.decode(column: "session_kind", as: String.self) == kind.rawValue,
              try row.decode(column: "expires_at", as: Date.self) > request.now,
              let actor = try await actor(from: row, on: request.database)
        else { return nil }
        return CurrentUser(actor: actor, sessionID: try row.decode(column: "session_id", as: UUID.self),
                           csrfToken: try row.decode(column: "csrf_token", as: String.self))
    }

    /// What an actor is made of: the user, their unit's code and level, their department's code.
    private static let actorColumns = """
        u.id AS user_id, u.username, u.display_name, u.role, u.active, \
        o.code AS actor_unit_code, o.level AS actor_unit_level, d.code AS actor_department_code
        """
    private static let actorJoins = """
        LEFT JOIN \(OrgUnitModel.schema) o ON o.id = u.org_unit_id LEFT JOIN \(DepartmentModel.schema) d ON d.id = u.department_id
        """

    /// The actor of a row with `actorColumns`; nil for an inactive user.
    private static func actor(from row: any SQLRow, on db: any Database) async throws -> Actor? {
        guard try row.decode(column: "active", as: Bool.self) else { return nil }
        guard let unitCode = try row.decode(column: "actor_unit_code", as: String?.self),
              let unitLevel = try row.decode(column: "actor_unit_level", as: String?.self)
        else { throw unitMissing }
        let userID = try row.decode(column: "user_id", as: UUID.self)
        let role = Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .citizen
        let grids = role == .gridWorker ? try await UserService(db: db).gridCodes(of: userID) : []
        return Actor(userID: userID, username: try row.decode(column: "username", as: String.self),
                     displayName: try row.decode(column: "display_name", as: String.self), role: role,
                     orgCode: unitCode, orgLevel: OrgLevel(rawValue: unitLevel) ?? .grid,
                     departmentCode: try row.decode(column: "actor_department_code", as: String?.self), gridCodes: grids)
    }

    /// The actor of a user just signed in.
    static func actor(for user: UserModel, on db: any Database) async throws -> Actor {
        let statement: SQLQueryString = """
            SELECT \(unsafeRaw: actorColumns) FROM \(unsafeRaw: UserModel.schema) u \(unsafeRaw: actorJoins)
            WHERE u.id = \(bind: try user.requireID())
            """
        guard let row = try await PlainReads.rows(statement, on: db).first, let actor = try await actor(from: row, on: db)
        else { throw unitMissing }
        return actor
    }

    static let unitMissing = AppError(.unauthorized, code: "auth.user_unit", zh: "账号所属单位不存在。", en: "The user's unit is missing.")
}

extension HTTPHeaders {
    /// The token of `Authorization: Bearer <token>`, read as Vapor's `bearerAuthorization` reads it
    /// (exactly two parts between spaces, the first "bearer" in any case) but from the header's
    /// bytes: Vapor splits it into substrings and lower-cases the scheme, 1.3% of a case page.
    var bearerToken: String? {
        guard let value = first(name: .authorization) else { return nil }
        let parts = value.utf8.split(separator: UInt8(ascii: " "))
        guard parts.count == 2, parts[0].count == 6,
              zip(parts[0], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        return String(Substring(parts[1]))
    }
}
