import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/track/{queryCode}`: the reporter follows and rates their case without an account.
struct TrackAPIController: RouteCollection {
    struct Evaluation: Content {
        var rating: String
        var comment: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let track = routes.grouped("track", ":queryCode")
        track.get(use: show)
        track.post("evaluation", use: evaluate)
        track.get("photos", ":id", use: photo)
    }

    @Sendable func show(req: Request) async throws -> Response {
        try Response(json: await Self.view(req.parameters.get("queryCode")!, on: req))
    }

    static func view(_ queryCode: String, on req: Request) async throws -> TrackDTO {
        try req.enforceRateLimit(.track)
        let queries = CaseQueryService(db: req.database)
        let model = try await req.trackedCase(queryCode, by: queries)
        let id = model.id
        return TrackDTO(model, events: try await queries.publicEvents(caseID: id), attachments: try await queries.attachments(caseID: id, counted: model.photoCount),
                        names: try await NameBook.load(on: req), queryCode: QueryCode.normalise(queryCode) ?? queryCode)
    }

    @Sendable func evaluate(req: Request) async throws -> Response {
        let queryCode = req.parameters.get("queryCode")!
        let body = try req.content.decode(Evaluation.self)
        try await Self.evaluate(queryCode, rating: body.rating, comment: body.comment, on: req)
        return try Response(json: await Self.view(queryCode, on: req))
    }

    /// Holding the query code makes one the reporter, whoever is signed in.
    static func evaluate(_ queryCode: String, rating: String, comment: String?, on req: Request) async throws {
        let model = try await req.trackedCase(queryCode, by: CaseQueryService(db: req.database))
        let input = TransitionInput(action: CaseAction.evaluate.rawValue, note: comment, rating: rating)
        _ = try await req.transitions.perform(code: model.code, input, actor: nil, relationOverride: .reporter, now: req.now,
                                              sla: req.sla(), notifier: req.application.notifier)
    }

    @Sendable func photo(req: Request) async throws -> Response {
        let queries = CaseQueryService(db: req.database)
        let id = try await req.trackedCase(req.parameters.get("queryCode")!, by: queries).id
        // Only the photos of the result are public.
        let resultEvents = Set(try await queries.events(caseID: id)
            .filter { [CaseAction.submitResult.rawValue, CaseAction.resolveOnSpot.rawValue].contains($0.action) }.map(\.id))
        return try await CasesAPIController.serve(attachmentID: req.parameters.get("id", as: Int.self), caseID: id, on: req, onlyEvents: resultEvents)
    }
}

/// `/api/v1/categories`: the taxonomy, public so the report form can show it.
struct CategoriesAPIController: RouteCollection {
    struct CategoryDTO: Content {
        var code: String
        var name: String
        var parentCode: String?
        var defaultLevel: String?
        var defaultDepartmentCode: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("categories", use: list)
        routes.post("categories", use: create)
        routes.patch("categories", ":code", use: update)
    }

    static func dto(_ model: CategoryModel) -> CategoryDTO {
        CategoryDTO(code: model.code, name: model.name, parentCode: model.parentCode, defaultLevel: model.defaultLevel,
                    defaultDepartmentCode: model.defaultDepartmentCode)
    }

    /// The same, from the kept catalogue (`CatalogNames`), which the list answers from.
    static func dto(_ listing: CategoryListing) -> CategoryDTO {
        CategoryDTO(code: listing.code, name: listing.name, parentCode: listing.parentCode, defaultLevel: listing.defaultLevel,
                    defaultDepartmentCode: listing.defaultDepartmentCode)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let model = try await CategoryService(db: req.database).create(req.content.decode(CategoryInput.self), by: actor)
        let response = Response(status: .created)
        try response.content.encode(Self.dto(model), as: .json)
        return response
    }

    @Sendable func update(req: Request) async throws -> CategoryDTO {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        return Self.dto(try await CategoryService(db: req.database).update(code: req.parameters.get("code")!, req.content.decode(CategoryInput.self),
                                                                      by: actor))
    }

    @Sendable func list(req: Request) async throws -> [CategoryDTO] {
        try await req.application.catalogNames(on: req.database).categoryList.filter(\.active).map(Self.dto)
    }
}
