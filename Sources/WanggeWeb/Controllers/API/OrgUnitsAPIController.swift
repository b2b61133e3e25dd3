import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/org-units`: the governance tree, always seen through the caller's scope.
struct OrgUnitsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let units = routes.grouped("org-units")
        units.getHeavy(use: list)
        units.post(use: create)
        units.get(":code", use: show)
        units.patch(":code", use: update)
        units.get(":code", "children", use: children)
        routes.get("grids", "locate", use: locate)
    }

    @Sendable func list(req: Request) async throws -> Page<OrgUnitDTO> {
        let actor = try req.requireActor()
        let level = try req.query[String.self, at: "level"].map(OrgLevel.parse)
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 100, 1), 500)
        let units = try await OrgUnitService(db: req.database).list(
            level: level, within: req.query[String.self, at: "within"], for: actor,
            after: req.query[String.self, at: "after"], limit: limit)
        return Page(items: units.map { OrgUnitDTO($0) }, next: units.count == limit ? units.last?.code : nil)
    }

    @Sendable func show(req: Request) async throws -> OrgUnitDTO {
        let unit = try await OrgUnitService(db: req.database).find(code: req.parameters.get("code")!, for: req.requireActor())
        return OrgUnitDTO(unit, includeGeometry: true)
    }

    @Sendable func children(req: Request) async throws -> [OrgUnitDTO] {
        try await OrgUnitService(db: req.database).children(of: req.parameters.get("code")!, for: req.requireActor())
            .map { OrgUnitDTO($0) }
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(OrgUnitInput.self)
        let unit = try await OrgUnitService(db: req.database).create(input, by: actor)
        await req.application.gridLocatorCache.invalidate()
        let response = Response(status: .created)
        try response.content.encode(OrgUnitDTO(unit, includeGeometry: true), as: .json)
        return response
    }

    @Sendable func update(req: Request) async throws -> OrgUnitDTO {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let change = try req.content.decode(OrgUnitUpdate.self)
        let unit = try await OrgUnitService(db: req.database).update(code: req.parameters.get("code")!, change, by: actor)
        await req.application.gridLocatorCache.invalidate()
        return OrgUnitDTO(unit, includeGeometry: true)
    }

    struct LocateDTO: Content {
        var gridCode: String?
        var gridName: String?
    }

    /// Which grid holds a point; anyone may ask (the citizen's report form uses it).
    @Sendable func locate(req: Request) async throws -> LocateDTO {
        guard let lat = req.query[Double.self, at: "lat"], let lon = req.query[Double.self, at: "lon"],
              GeoPoint(lon: lon, lat: lat).isValidWGS84
        else {
            throw AppError.invalid("geo.point", zh: "请提供有效的经纬度 lat、lon。", en: "Give a valid lat and lon.")
        }
        let locator = try await req.application.gridLocatorCache.locator(on: req.database)
        guard let code = locator.locate(GeoPoint(lon: lon, lat: lat)) else { return LocateDTO() }
        let grid = try await OrgUnitModel.query(on: req.database).filter(\.$code == code).first()
        return LocateDTO(gridCode: code, gridName: grid?.name)
    }
}
