import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/users`: administrators manage the people of their subtree. Phones are shown in full to
/// administrators only.
struct UsersAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = routes.grouped("users")
        users.getHeavy(use: list)
        users.post(use: create)
        users.get(":username", use: show)
        routes.post("me", "password", use: changePassword)
    }

    /// A page of people in username order: `role`, `within` (a unit and those below it), `q` (text of a
    /// username, name or phone), `after` (the `next` of the page before) and `limit` (1–200, 50 by default).
    @Sendable func list(req: Request) async throws -> Page<UserDTO> {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let filter = try UserFilter.parse(role: req.query[String.self, at: "role"], unit: req.query[String.self, at: "within"],
                                          text: req.query[String.self, at: "q"], after: req.query[String.self, at: "after"],
                                          limit: req.query[String.self, at: "limit"])
        let page = try await UserService(db: req.database).listed(filter, for: actor)
        return Page(items: page.users.map { UserDTO($0, revealPhone: true) }, next: page.next)
    }

    @Sendable func show(req: Request) async throws -> UserDTO {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let service = UserService(db: req.database)
        let user = try await service.find(username: req.parameters.get("username")!, for: actor)
        return UserDTO(user, gridCodes: try await service.gridCodes(of: user.requireID()), revealPhone: true)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(UserInput.self)
        let user = try await UserService(db: req.database).create(input, by: actor, hasher: req.hasher)
        let response = Response(status: .created)
        try response.content.encode(UserDTO(user, gridCodes: input.gridCodes, revealPhone: true), as: .json)
        return response
    }

    struct PasswordChange: Content {
        var currentPassword: String
        var newPassword: String
    }

    @Sendable func changePassword(req: Request) async throws -> HTTPStatus {
        guard let current = req.currentUser else { _ = try req.requireActor(); return .unauthorized }
        let change = try req.content.decode(PasswordChange.self)
        try await UserService(db: req.database).changePassword(user: current.loadUser(on: req.database), current: change.currentPassword,
                                                         new: change.newPassword, hasher: req.hasher, now: req.now)
        return .noContent
    }
}
