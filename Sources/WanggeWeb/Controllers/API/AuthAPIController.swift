import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

struct AuthAPIController: RouteCollection {
    struct Credentials: Content {
        var username: String
        var password: String
    }

    struct TokenDTO: Content {
        var token: String
        var expiresAt: Date
        var user: MeDTO
    }

    func boot(routes: any RoutesBuilder) throws {
        let auth = routes.grouped("auth")
        auth.post("token", use: issueToken)
        auth.delete("token", use: revokeToken)
        routes.get("me", use: me)
    }

    @Sendable func issueToken(req: Request) async throws -> Response {
        let credentials = try req.content.decode(Credentials.self)
        let login = LoginService(request: req)
        let user = try await login.verify(username: credentials.username, password: credentials.password)
        let (secret, session) = try await login.open(for: user, kind: .api)
        let actor = try await SessionAuthenticator.actor(for: user, on: req.database)
        let response = Response(status: .created)
        try response.content.encode(TokenDTO(token: secret, expiresAt: session.expiresAt, user: MeDTO(actor)), as: .json)
        return response
    }

    @Sendable func revokeToken(req: Request) async throws -> HTTPStatus {
        _ = try req.requireActor()
        try await req.currentUser!.endSession(on: req.database)
        return .noContent
    }

    @Sendable func me(req: Request) async throws -> MeDTO {
        MeDTO(try req.requireActor())
    }
}
