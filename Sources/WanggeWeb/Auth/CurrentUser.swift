import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// The signed-in user of a request, with the session or token that signed them in.
struct CurrentUser: Authenticatable {
    var actor: Actor
    var user: UserModel
    var session: AuthSessionModel
}

extension Request {
    var currentUser: CurrentUser? { auth.get(CurrentUser.self) }

    /// The actor or 401: for routes that need a signed-in user.
    func requireActor() throws -> Actor {
        guard let current = currentUser else {
            throw AppError(.unauthorized, code: "auth.required", zh: "请先登录。", en: "Please sign in.")
        }
        return current.actor
    }

    var hasher: PasswordHashing {
        let cost = application.wanggeConfig.bcryptCost
        return PasswordHashing(
            hash: { try Bcrypt.hash($0, cost: cost) },
            verify: { try Bcrypt.verify($0, created: $1) }
        )
    }
}

extension Application {
    var hasher: PasswordHashing {
        let cost = wanggeConfig.bcryptCost
        return PasswordHashing(hash: { try Bcrypt.hash($0, cost: cost) }, verify: { try Bcrypt.verify($0, created: $1) })
    }
}

/// Reads the session cookie (pages) or the bearer token (API) and signs the user in for the request.
/// The API accepts bearer tokens only, so a browser's cookie can never be used to forge an API call.
struct SessionAuthenticator: AsyncMiddleware {
    static let cookieName = "wangge_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let isAPI = request.url.path.hasPrefix("/api/")
        let secret: String?
        let kind: AuthSessionModel.Kind
        if isAPI {
            secret = request.headers.bearerAuthorization?.token
            kind = .api
        } else {
            secret = request.cookies[Self.cookieName]?.string
            kind = .web
        }
        if let secret, !secret.isEmpty, let current = try await Self.load(secret: secret, kind: kind, on: request) {
            request.auth.login(current)
            if kind == .web, current.actor.role.isStaff, request.method == .GET {
                // The unread badge in the page header.
                request.storage[UnreadCountKey.self] = try await NotificationModel.query(on: request.db)
                    .filter(\.$user.$id == current.actor.userID).filter(\.$readAt == nil).count()
            }
        }
        return try await next.respond(to: request)
    }

    /// Runs on every signed-in request, so its reads are plain (`PlainReads`, plain columns): through
    /// Fluent's aliased SELECT lists they were a tenth of an API call.
    static func load(secret: String, kind: AuthSessionModel.Kind, on request: Request) async throws -> CurrentUser? {
        guard let session = try await PlainReads.first(AuthSessionModel.self, where: "token_hash", equals: Tokens.hash(secret), on: request.db),
              session.kind == kind.rawValue, session.expiresAt > request.now,
              let (user, actor) = try await userAndActor(id: session.$user.id, on: request.db)
        else { return nil }
        session.$user.value = user
        return CurrentUser(actor: actor, user: user, session: session)
    }

    /// The user with their unit's code and level and their department's code, in one statement:
    /// every signed-in request asks, and three statements were a sixth of a queue page. Nil for no
    /// such user or an inactive one.
    static func userAndActor(id: UUID, on db: any Database) async throws -> (UserModel, Actor)? {
        let statement: SQLQueryString = """
            SELECT u.*, o.code AS actor_unit_code, o.level AS actor_unit_level, d.code AS actor_department_code
            FROM \(unsafeRaw: UserModel.schema) u
            LEFT JOIN \(unsafeRaw: OrgUnitModel.schema) o ON o.id = u.org_unit_id
            LEFT JOIN \(unsafeRaw: DepartmentModel.schema) d ON d.id = u.department_id
            WHERE u.id = \(bind: id)
            """
        guard let row = try await PlainReads.rows(statement, on: db).first else { return nil }
        let user = try row.decode(fluentModel: UserModel.self)
        guard user.active else { return nil }
        guard let unitCode = try row.decode(column: "actor_unit_code", as: String?.self),
              let unitLevel = try row.decode(column: "actor_unit_level", as: String?.self)
        else { throw unitMissing }
        let grids = user.userRole == .gridWorker ? try await UserService(db: db).gridCodes(of: user.requireID()) : []
        let actor = Actor(userID: try user.requireID(), username: user.username, displayName: user.displayName, role: user.userRole,
                          orgCode: unitCode, orgLevel: OrgLevel(rawValue: unitLevel) ?? .grid,
                          departmentCode: try row.decode(column: "actor_department_code", as: String?.self), gridCodes: grids)
        return (user, actor)
    }

    /// The actor of a user just signed in.
    static func actor(for user: UserModel, on db: any Database) async throws -> Actor {
        guard let (_, actor) = try await userAndActor(id: user.requireID(), on: db) else { throw unitMissing }
        return actor
    }

    static let unitMissing = AppError(.unauthorized, code: "auth.user_unit", zh: "账号所属单位不存在。", en: "The user's unit is missing.")
}
