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
              let user = try await PlainReads.first(UserModel.self, where: "id", equals: session.$user.id, on: request.db), user.active
        else { return nil }
        session.$user.value = user
        let actor = try await actor(for: user, on: request.db)
        return CurrentUser(actor: actor, user: user, session: session)
    }

    static func actor(for user: UserModel, on db: any Database) async throws -> Actor {
        guard let sql = db as? any SQLDatabase,
              let unit = try await sql.select().columns("code", "level").from(OrgUnitModel.schema).where("id", .equal, user.$orgUnit.id).first()
        else {
            throw AppError(.unauthorized, code: "auth.user_unit", zh: "账号所属单位不存在。", en: "The user's unit is missing.")
        }
        var departmentCode: String?
        if let departmentID = user.$department.id {
            departmentCode = try await sql.select().column("code").from(DepartmentModel.schema).where("id", .equal, departmentID).first()?
                .decode(column: "code", as: String.self)
        }
        let unitCode = try unit.decode(column: "code", as: String.self)
        let unitLevel = OrgLevel(rawValue: try unit.decode(column: "level", as: String.self)) ?? .grid
        let grids = user.userRole == .gridWorker ? try await UserService(db: db).gridCodes(of: user.requireID()) : []
        return Actor(userID: try user.requireID(), username: user.username, displayName: user.displayName, role: user.userRole,
                     orgCode: unitCode, orgLevel: unitLevel, departmentCode: departmentCode, gridCodes: grids)
    }
}
