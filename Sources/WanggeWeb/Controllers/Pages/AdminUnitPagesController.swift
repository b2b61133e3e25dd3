import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Admin pages for the org tree: browse a unit and its children, create a child, rename, and upload a
/// grid's boundary with a preview map before saving.
struct AdminUnitPagesController: RouteCollection {
    struct UnitRow: Encodable {
        var code: String
        var name: String
        var levelName: String
    }

    struct Context: Encodable {
        var p: PageChrome
        var unit: UnitRow
        var breadcrumb: [UnitRow]
        var children: [UnitRow]
        var childLevel: String?
        var childLevelName: String?
        var isGrid: Bool
        var map: String
        var previewMap: String?
        var previewGeometry: String?
        var form: [String: String]
        var errors: [String: String]
        var workers: [String]
    }

    struct UnitForm: Content {
        var code: String?
        var name: String?
        var geojsonText: String?
        var geojsonFile: File?
        var geometry: String?
        var action: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "units")
        admin.get(use: root)
        admin.getHeavy(":code", use: show)
        admin.on(.POST, ":code", "children", body: .collect(maxSize: "8mb"), use: createChild)
        admin.post(":code", "name", use: rename)
        admin.on(.POST, ":code", "boundary", body: .collect(maxSize: "8mb"), use: boundary)
    }

    @Sendable func root(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        return req.redirect(to: "/admin/units/\(actor.orgCode)")
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let unit = try await OrgUnitService(db: req.database).find(code: req.parameters.get("code")!, for: actor)
        return try await req.page("admin-unit", context(req, unit: unit, actor: actor))
    }

    @Sendable func createChild(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let service = OrgUnitService(db: req.database)
        let parent = try await service.find(code: req.parameters.get("code")!, for: actor)
        guard let level = parent.orgLevel.childLevel else { throw AppError.invalid("org.no_children", zh: "网格下不能再建下级单位。", en: "Grids have no units below.") }
        let form = try req.content.decode(UnitForm.self)
        let geometry = Self.geometry(from: form)
        var context = try await context(req, unit: parent, actor: actor)
        context.form = ["code": form.code ?? "", "name": form.name ?? ""]
        do {
            if level == .grid, form.action != "save" {
                // First step for a grid: show the uploaded boundary on the map before anything is saved.
                let shape = try OrgUnitService.parseBoundary(geometry)
                context.previewMap = try await MapPages.svg(req, actor: actor, within: parent, highlight: shape)
                context.previewGeometry = shape.geoJSONString
                return try await req.page("admin-unit", context)
            }
            let input = OrgUnitInput(code: form.code ?? "", name: form.name ?? "", level: level.rawValue,
                                     parentCode: parent.code, geometry: level == .grid ? geometry : nil)
            let unit = try await service.create(input, by: actor)
            await req.application.gridLocatorCache.invalidate()
            return req.redirect(to: "/admin/units/\(unit.code)?notice=created")
        } catch let error as AppError where error.kind == .badRequest || error.kind == .conflict {
            context.errors = [error.field ?? "code": error.message(english: req.isEnglish)]
            return try await req.page("admin-unit", context, status: .badRequest)
        }
    }

    @Sendable func rename(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let code = req.parameters.get("code")!
        let form = try req.content.decode(UnitForm.self)
        let service = OrgUnitService(db: req.database)
        do {
            _ = try await service.update(code: code, OrgUnitUpdate(name: form.name ?? ""), by: actor)
            return req.redirect(to: "/admin/units/\(code)?notice=saved")
        } catch let error as AppError where error.kind == .badRequest {
            var context = try await context(req, unit: service.find(code: code, for: actor), actor: actor)
            context.errors = ["rename": error.message(english: req.isEnglish)]
            return try await req.page("admin-unit", context, status: .badRequest)
        }
    }

    @Sendable func boundary(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let service = OrgUnitService(db: req.database)
        let unit = try await service.find(code: req.parameters.get("code")!, for: actor)
        let form = try req.content.decode(UnitForm.self)
        let geometry = Self.geometry(from: form)
        var context = try await context(req, unit: unit, actor: actor)
        do {
            if form.action == "save" {
                _ = try await service.update(code: unit.code, OrgUnitUpdate(geometry: geometry ?? ""), by: actor)
                await req.application.gridLocatorCache.invalidate()
                return req.redirect(to: "/admin/units/\(unit.code)?notice=saved")
            }
            let shape = try OrgUnitService.parseBoundary(geometry)
            let parent = try await service.find(code: unit.ancestry[.village] ?? unit.code, for: actor)
            context.previewMap = try await MapPages.svg(req, actor: actor, within: parent, highlight: shape)
            context.previewGeometry = shape.geoJSONString
            return try await req.page("admin-unit", context)
        } catch let error as AppError where error.kind == .badRequest {
            context.errors = ["geometry": error.message(english: req.isEnglish)]
            return try await req.page("admin-unit", context, status: .badRequest)
        }
    }

    /// The uploaded file wins over the pasted text; the hidden field carries a previewed geometry.
    static func geometry(from form: UnitForm) -> String? {
        if let file = form.geojsonFile, file.data.readableBytes > 0 {
            return String(buffer: file.data)
        }
        for candidate in [form.geometry, form.geojsonText] {
            if let text = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { return text }
        }
        return nil
    }

    func context(_ req: Request, unit: OrgUnitModel, actor: Actor) async throws -> Context {
        let english = req.isEnglish
        func row(_ u: OrgUnitModel) -> UnitRow {
            UnitRow(code: u.code, name: u.name, levelName: english ? u.orgLevel.nameEN : u.orgLevel.nameZH)
        }
        let service = OrgUnitService(db: req.database)
        let children = try await service.children(of: unit.code, for: actor)
        var breadcrumb: [UnitRow] = []
        for level in OrgLevel.allCases where level < unit.orgLevel {
            if let code = unit.ancestry[level], let ancestor = try? await service.find(code: code, for: actor) {
                breadcrumb.append(row(ancestor))
            }
        }
        var workers: [String] = []
        if unit.orgLevel == .grid {
            workers = try await GridAssignmentModel.query(on: req.database).filter(\.$grid.$id == unit.requireID()).with(\.$user).all()
                .map { "\($0.user.displayName)(\($0.user.username))" }
        }
        let childLevel = unit.orgLevel.childLevel
        return Context(
            p: PageChrome(req, notice: req.notice), unit: row(unit), breadcrumb: breadcrumb, children: children.map(row),
            childLevel: childLevel?.rawValue, childLevelName: childLevel.map { english ? $0.nameEN : $0.nameZH },
            isGrid: unit.orgLevel == .grid,
            map: try await MapPages.svg(req, actor: actor, within: unit, highlight: nil),
            previewMap: nil, previewGeometry: nil, form: [:], errors: [:], workers: workers)
    }
}

extension Request {
    /// Admin pages: visitors go to the login page, other roles get a 403 page.
    func requireAdminPage() throws -> Actor {
        let current = try requirePageUser()
        try current.actor.requireAdmin()
        return current.actor
    }
}
