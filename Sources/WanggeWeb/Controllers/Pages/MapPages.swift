import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Maps drawn by the server as SVG from the grid polygons: no tiles, no CDN, works offline.
struct MapPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("maps", "grids.svg", use: gridsSVG)
    }

    /// `/maps/grids.svg?within=CODE`: the grids of the caller's area (or of a unit inside it).
    @Sendable func gridsSVG(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let service = OrgUnitService(db: req.database)
        let root = try await service.find(code: QueryParameters(req)["within"] ?? actor.orgCode, for: actor)
        let svg = try await Self.svg(req, actor: actor, within: root, highlight: nil)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: svg))
    }

    /// The grids under `root` (for a grid: its village's grids, so neighbours show), each linking to
    /// its page, with an optional highlighted shape (a boundary being previewed).
    static func svg(_ req: Request, actor: Actor, within root: OrgUnitModel, highlight: GeoMultiPolygon?) async throws -> String {
        var scope = root.scope
        if root.orgLevel == .grid, let village = root.ancestry[.village] { scope = OrgScope(level: .village, code: village) }
        let href: (String) -> String? = { actor.role == .admin ? "/admin/units/\($0)" : nil }
        // Without a boundary to preview, an area the actor sees whole is drawn from the outlines
        // projected once (`GridShapeCache`): projecting a county's 1,000 again took 4.5 ms a view.
        if highlight == nil, actor.canSee(OrgCode.ancestry(of: scope.code)) {
            let map = try await req.application.gridShapeCache.map(of: [scope], width: GridMapSVG.width, height: GridMapSVG.height, on: req.database)
            return GridMapSVG.render(map, selected: root.code, href: href, title: root.name)
        }
        let grids = try await req.application.gridLocatorCache.drawn(on: req.database).grids
            .filter { scope.contains($0.ancestry) && actor.canSee($0.ancestry) }
        let map = GridShapeCache.ProjectedMap(grids, width: GridMapSVG.width, height: GridMapSVG.height, fitting: highlight?.bbox ?? .empty)
        return GridMapSVG.render(map, selected: root.code, href: href, title: root.name, highlight: highlight)
    }
}

extension MapPages {
    /// Grids the actor sees (or the village around `focusGrid`) with case markers.
    static func caseMap(_ req: Request, actor: Actor?, markers: [CaseMapSVG.Marker], focusGrid: String? = nil, pickable: Bool = false) async throws -> String {
        var scopes: [OrgScope] = []
        if let focusGrid, let village = OrgCode.ancestry(of: focusGrid).villageCode {
            scopes = [OrgScope(level: .village, code: village)]
        } else if let actor, actor.role.isStaff {
            scopes = actor.scopes
        }
        let map = try await req.application.gridShapeCache.map(of: scopes, width: CaseMapSVG.width, height: CaseMapSVG.height, on: req.database)
        return CaseMapSVG.render(map, markers: markers, title: Strings.table(english: req.isEnglish)["map"]!, pickable: pickable,
                                 outlines: map.caseMapOutlines.map(req.carry))
    }
}

/// Draws grid polygons to an SVG string. Names are XML-escaped: they are user data.
enum GridMapSVG {
    static let width = 800.0, height = 500.0

    /// An area with no grid drawn: a dash.
    private static func noGrids(title: String, width: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) 60\" role=\"img\"><title>\(Markup.escape(title))</title><text x=\"12\" y=\"34\">—</text></svg>"
    }

    /// The grids of `map`, the one whose code is `selected` marked, each linking to `href(code)` when
    /// there is one, a small area's named, and a boundary being previewed (`highlight`) drawn over
    /// them; the map must have been fitted to it (`ProjectedMap(_:width:height:fitting:)`).
    static func render(_ map: GridShapeCache.ProjectedMap, selected: String, href: (String) -> String?, title: String,
                       highlight: GeoMultiPolygon? = nil) -> String {
        guard map.projection != nil else { return noGrids(title: title, width: map.width) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(map.width)) \(Int(map.height))\" role=\"img\" aria-label=\"\(Markup.escape(title))\">"
        out += "<title>\(Markup.escape(title))</title>"
        out.reserveCapacity(map.grids.reduce(out.utf8.count) { $0 + $1.path.utf8.count + 2 * $1.code.utf8.count + $1.escapedName.utf8.count + 140 })
        for grid in map.grids {
            let code = Markup.escape(grid.code)
            let path = "<path class=\"grid" + (grid.code == selected ? " selected" : "") + "\" fill-rule=\"evenodd\" d=\"" + grid.path
                + "\" data-code=\"" + code + "\"><title>" + grid.escapedName + "(" + code + ")</title></path>"
            if let link = href(grid.code) {
                out += "<a href=\"" + Markup.escape(link) + "\">" + path + "</a>"
            } else {
                out += path
            }
        }
        if map.grids.count <= 60 {
            for grid in map.grids {
                out += "<text x=\"\(FixedDecimal.string(grid.centreX, digits: 1))\" y=\"\(FixedDecimal.string(grid.centreY, digits: 1))\" text-anchor=\"middle\">\(grid.escapedLabel)</text>"
            }
        }
        if let highlight, let projection = map.projection {
            out += "<path class=\"highlight\" fill-rule=\"evenodd\" d=\"\(projection.pathData(highlight))\"/>"
        }
        return out + "</svg>"
    }
}
