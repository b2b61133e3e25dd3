import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

struct DepartmentsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let departments = routes.grouped("departments")
        departments.get(use: list)
        departments.post(use: create)
        departments.get(":code", use: show)
    }

    @Sendable func list(req: Request) async throws -> [DepartmentDTO] {
        try await DepartmentService(db: req.database).list(for: req.requireActor()).map(DepartmentDTO.init)
    }

    @Sendable func show(req: Request) async throws -> DepartmentDTO {
        DepartmentDTO(try await DepartmentService(db: req.database).find(code: req.parameters.get("code")!, for: req.requireActor()))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let department = try await DepartmentService(db: req.database).create(req.content.decode(DepartmentInput.self), by: actor)
        let response = Response(status: .created)
        try response.content.encode(DepartmentDTO(department), as: .json)
        return response
    }
}
