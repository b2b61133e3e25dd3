import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/open311-keys`: administrators issue, list and revoke keys for client systems.
struct APIKeysAPIController: RouteCollection {
    struct KeyDTO: Content {
        var id: UUID
        var name: String
        var keyPrefix: String
        var active: Bool
        var requestsPerMinute: Int
        var createdAt: Date
        /// Only in the answer to the request that issued it.
        var key: String?
    }

    struct IssueInput: Content {
        var name: String
        var requestsPerMinute: Int?
    }

    func boot(routes: any RoutesBuilder) throws {
        let keys = routes.grouped("open311-keys")
        keys.get(use: list)
        keys.post(use: issue)
        keys.delete(":id", use: revoke)
    }

    static func dto(_ m: APIClientModel, key: String? = nil) -> KeyDTO {
        KeyDTO(id: m.id ?? UUID(), name: m.name, keyPrefix: m.keyPrefix, active: m.active, requestsPerMinute: m.requestsPerMinute,
               createdAt: m.createdAt, key: key)
    }

    @Sendable func list(req: Request) async throws -> [KeyDTO] {
        try await APIClientService(db: req.database).list(by: req.requireActor()).map { Self.dto($0) }
    }

    @Sendable func issue(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(IssueInput.self)
        let (client, key) = try await APIClientService(db: req.database).issue(name: input.name, requestsPerMinute: input.requestsPerMinute ?? 60,
                                                                          by: actor, now: req.now)
        let response = Response(status: .created)
        try response.content.encode(Self.dto(client, key: key), as: .json)
        return response
    }

    @Sendable func revoke(req: Request) async throws -> HTTPStatus {
        try req.requireActor().requireAdmin()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw AppError.notFound() }
        try await APIClientService(db: req.database).revoke(id: id, by: req.requireActor())
        return .noContent
    }
}
