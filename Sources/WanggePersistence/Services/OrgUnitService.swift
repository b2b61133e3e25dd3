import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// A unit as a list of choices shows it: no boundary.
public struct UnitChoice: Sendable, Equatable {
    public var code: String
    public var name: String
    public var level: OrgLevel?
}

/// A unit as a list shows it, read as these columns only: without its boundary (a grid's is kilobytes of GeoJSON),
/// and without Fluent's decoding of whole models, which was half of the org-units list's CPU (8.4 ms a page of 100
/// at a million cases).
public struct OrgUnitListing: Sendable, PositionallyDecodable {
    public var code: String
    public var name: String
    public var level: String
    public var path: String
    public var ancestry: OrgAncestry
    /// minLon, minLat, maxLon, maxLat; nil without a boundary.
    public var boundingBox: [Double]?

    static let columns = ["code", "name", "level", "path", "city_code", "county_code", "township_code", "village_code", "grid_code",
                          "min_lon", "min_lat", "max_lon", "max_lat"]

    public init(_ unit: OrgUnitModel) {
        (code, name, level, path, ancestry) = (unit.code, unit.name, unit.level, unit.path, unit.ancestry)
        boundingBox = Self.box(unit.minLon, unit.minLat, unit.maxLon, unit.maxLat)
    }

    /// Read by position, in the order of `columns`.
    public init<Row: PositionalRow>(positions row: Row) throws {
        (code, name, level, path) = (try row.string(0), try row.string(1), try row.string(2), try row.string(3))
        ancestry = OrgAncestry(cityCode: try row.optionalString(4), countyCode: try row.optionalString(5), townshipCode: try row.optionalString(6),
                               villageCode: try row.optionalString(7), gridCode: try row.optionalString(8))
        boundingBox = Self.box(try row.optionalDouble(9), try row.optionalDouble(10), try row.optionalDouble(11), try row.optionalDouble(12))
    }

    public var orgLevel: OrgLevel { OrgLevel(rawValue: level) ?? .grid }

    private static func box(_ minLon: Double?, _ minLat: Double?, _ maxLon: Double?, _ maxLat: Double?) -> [Double]? {
        guard let minLon, let minLat, let maxLon, let maxLat else { return nil }
        return [minLon, minLat, maxLon, maxLat]
    }
}

public struct OrgUnitInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var level: String
    public var parentCode: String?
    /// GeoJSON Polygon/MultiPolygon (or a Feature holding one); required for grids.
    public var geometry: String?

    public init(code: String, name: String, level: String, parentCode: String?, geometry: String? = nil) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.geometry = geometry
    }
}

public struct OrgUnitUpdate: Codable, Sendable {
    public var name: String?
    public var geometry: String?

    public init(name: String? = nil, geometry: String? = nil) {
        self.name = name
        self.geometry = geometry
    }
}

/// Reads and writes of the org tree, always through the actor's scope.
public struct OrgUnitService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// A unit the actor may see, or `notFound` — never `forbidden`, so existence does not leak.
    public func find(code: String, for actor: Actor) async throws -> OrgUnitModel {
        // As a plain read (on a request's direct reader): the leaders' pages look up their area and its parents at
        // every view, and through Fluent's builder each was a query built, aliased and decoded field by field.
        guard let unit = try await PlainReads.first(OrgUnitModel.self, where: "code", equals: code, on: db),
              actor.canSee(unit.ancestry)
        else { throw AppError.notFound("org_unit") }
        return unit
    }

    public func children(of code: String?, for actor: Actor) async throws -> [OrgUnitModel] {
        if let code {
            let parent = try await find(code: code, for: actor)
            return try await OrgUnitModel.query(on: db).filter(\.$parent.$id == parent.requireID())
                .sort(\.$code).all()
        }
        // Without a parent: the roots of what the actor sees.
        return try await OrgUnitModel.query(on: db).group(.or) { group in
            for scope in actor.scopes { group.filter(\.$code == scope.code) }
        }.sort(\.$code).all()
    }

    /// The units directly below one, by code, as their codes and names: the assessment's pages list them, and read as
    /// whole models through Fluent (its statement built from every field, each model decoded) they and the names up
    /// the way (now from the kept catalogue) were three tenths of a monthly report's CPU at a million cases. Only grids store a boundary, so a village's
    /// grids come without theirs too.
    public func childNames(of parentID: UUID) async throws -> [(code: String, name: String)] {
        try await PlainReads.rows(Self.childrenByParent, equals: parentID, on: db)
            .map { try $0.codeAndName() }
    }

    private static let childrenByParent = PlainReads.SelectWhere(["code", "name"], from: OrgUnitModel.schema, where: "parent_id",
                                                                 orderedBy: "code")

    /// Units inside the actor's scope, optionally of one level, ordered by path; paged by code.
    public func list(level: OrgLevel?, within rootCode: String?, for actor: Actor, after: String? = nil, limit: Int = 100) async throws -> [OrgUnitListing] {
        var query = OrgUnitModel.query(on: db)
        if let rootCode {
            let root = try await find(code: rootCode, for: actor)
            query = query.within(root.scope)
        } else {
            query = query.within(anyOf: actor.scopes)
        }
        if let level { query = query.filter(\.$level == level.rawValue) }
        if let after { query = query.filter(\.$code > after) }
        return try await PlainReads.decoded(query.sort(\.$code).limit(limit), columns: OrgUnitListing.columns, as: OrgUnitListing.self, on: db)
    }

    /// The units inside `scope` at `levels`, ordered by code or by path (a tree), as plain rows. A grid's
    /// row also holds its boundary: decoding a county's 1,000 grids as models was half of a dispatcher's
    /// case page and of the admin's users page.
    public func choices(within scope: OrgScope, levels: [OrgLevel], byPath: Bool = false) async throws -> [UnitChoice] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let select = sql.select().columns("code", "name", "level").from(OrgUnitModel.schema)
            .within(scope, of: OrgUnitModel.self).where("level", .in, levels.map(\.rawValue)).orderBy(byPath ? "path" : "code")
        return try await PlainReads.rows(select.select, on: db)
            .map { row in
                UnitChoice(code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
                           level: OrgLevel(rawValue: try row.decode(column: "level", as: String.self)))
            }
    }

    public func create(_ input: OrgUnitInput, by actor: Actor) async throws -> OrgUnitModel {
        try actor.requireAdmin()
        let level = try OrgLevel.parse(input.level)
        let name = try Self.validName(input.name)
        let code = input.code.trimmingCharacters(in: .whitespaces)

        var parent: OrgUnitModel?
        if let parentCode = input.parentCode?.trimmingCharacters(in: .whitespaces), !parentCode.isEmpty {
            parent = try await find(code: parentCode, for: actor)
        }
        guard let parent else {
            throw AppError.invalid("org.parent_required", zh: "请选择上级单位(只有在命令行中才能创建市级根节点)。",
                                   en: "A parent unit is required.", field: "parentCode")
        }
        guard parent.orgLevel == level.parentLevel else {
            let expected = level.parentLevel?.nameZH ?? "无"
            throw AppError.invalid("org.parent_level",
                                   zh: "\(level.nameZH)的上级必须是\(expected),而「\(parent.name)」是\(parent.orgLevel.nameZH)。",
                                   en: "A \(level.nameEN) must sit under a \(level.parentLevel?.nameEN ?? "nothing"), not a \(parent.orgLevel.nameEN).",
                                   field: "parentCode")
        }
        try OrgCode.validate(code, level: level, parentCode: parent.code)
        let shape = try Self.shape(input.geometry, level: level)

        if try await OrgUnitModel.query(on: db).filter(\.$code == code).count() > 0 {
            throw AppError.duplicate("code", value: code)
        }
        let unit = OrgUnitModel()
        unit.code = code
        unit.name = name
        unit.level = level.rawValue
        unit.$parent.id = try parent.requireID()
        unit.ancestry = parent.ancestry.child(level: level, code: code)
        Self.apply(shape, to: unit)
        try await unit.create(on: db)
        CatalogChanges.note()
        return unit
    }

    /// Creates a root (city) unit; only the command line and the demo do this.
    public func createRoot(code: String, name: String) async throws -> OrgUnitModel {
        try OrgCode.validate(code, level: .city, parentCode: nil)
        let unit = OrgUnitModel()
        unit.code = code
        unit.name = try Self.validName(name)
        unit.level = OrgLevel.city.rawValue
        unit.ancestry = OrgAncestry(cityCode: code)
        try await unit.create(on: db)
        CatalogChanges.note()
        return unit
    }

    public func update(code: String, _ change: OrgUnitUpdate, by actor: Actor) async throws -> OrgUnitModel {
        try actor.requireAdmin()
        let unit = try await find(code: code, for: actor)
        if let name = change.name { unit.name = try Self.validName(name) }
        if let geometry = change.geometry {
            Self.apply(try Self.shape(geometry, level: unit.orgLevel), to: unit)
        }
        try await unit.save(on: db)
        CatalogChanges.note()
        return unit
    }

    static func validName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else {
            throw AppError.invalid("org.name", zh: "名称不能为空,且不超过 60 个字。", en: "A name is 1–60 characters.", field: "name")
        }
        return name
    }

    static func shape(_ geometry: String?, level: OrgLevel) throws -> GeoMultiPolygon? {
        let blank = geometry?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true
        if blank, level != .grid { return nil }
        guard level == .grid else {
            throw AppError.invalid("org.geometry_level", zh: "只有网格可以设置边界多边形。",
                                   en: "Only grids carry a polygon.", field: "geometry")
        }
        return try parseBoundary(geometry)
    }

    /// A grid boundary from GeoJSON, with messages an administrator understands.
    public static func parseBoundary(_ geometry: String?) throws -> GeoMultiPolygon {
        guard let geometry, !geometry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AppError.invalid("org.geometry_required", zh: "网格必须上传边界(GeoJSON 多边形)。",
                                   en: "A grid needs a boundary (GeoJSON polygon).", field: "geometry")
        }
        do {
            return try GeoJSON.parseGeometry(geometry)
        } catch let error as GeoJSONError {
            throw AppError.invalid("org.geometry", zh: "边界数据有误:" + error.messageZH,
                                   en: "Invalid boundary: " + error.messageEN, field: "geometry")
        }
    }

    static func apply(_ shape: GeoMultiPolygon?, to unit: OrgUnitModel) {
        guard let shape else { return }
        let box = shape.bbox
        unit.geometry = shape.geoJSONString
        unit.minLon = box.minLon
        unit.minLat = box.minLat
        unit.maxLon = box.maxLon
        unit.maxLat = box.maxLat
    }
}
