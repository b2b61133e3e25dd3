import Fluent
import Vapor
import WanggePersistence
import Foundation
import WanggeDomain

/// Grids shaded by how many cases are open in them, red-outlined where some are overdue.
enum GaugeMapSVG {
    static func render(grids: [GridShapeCache.Shape], gauges: [String: (open: Int, overdue: Int)], title: String,
                       width: Double = 860, height: Double = 560) -> String {
        let bounds = grids.reduce(BoundingBox.empty) { $0.union($1.shape.bbox) }
        guard !bounds.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) 60\" role=\"img\"><title>\(GridMapSVG.escape(title))</title><text x=\"12\" y=\"34\">—</text></svg>"
        }
        let projection = SVGProjection(bounds: bounds, width: width, height: height, padding: 12)
        let most = max(1, gauges.values.map(\.open).max() ?? 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gauge-map\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(GridMapSVG.escape(title))\"><title>\(GridMapSVG.escape(title))</title>"
        for grid in grids {
            let g = gauges[grid.code] ?? (0, 0)
            // Square-root scale, so a few busy grids do not wash out the rest.
            let level = g.open == 0 ? 0 : 0.15 + 0.85 * (Double(g.open) / Double(most)).squareRoot()
            let stroke = g.overdue > 0 ? " stroke=\"#e53935\" stroke-width=\"2\"" : ""
            out += "<path class=\"grid\(g.overdue > 0 ? " overdue" : "")\" d=\"\(projection.pathData(grid.shape))\" fill=\"#ffb74d\" fill-opacity=\"\(String(format: "%.2f", level))\"\(stroke)>"
            out += "<title>\(GridMapSVG.escape(grid.name)):在办 \(g.open),超期 \(g.overdue)</title></path>"
        }
        return out + "</svg>"
    }
}

/// Grid polygons parsed once and kept until a grid changes (same fingerprint as the locator's cache).
actor GridShapeCache {
    struct Shape: Sendable {
        var code: String
        var name: String
        var shape: GeoMultiPolygon
    }

    private var shapes: [Shape] = []
    private var fingerprint: String?

    func shapes(on db: any Database) async throws -> [Shape] {
        let current = try await GridLocatorCache.fingerprint(on: db)
        if current == fingerprint { return shapes }
        let grids = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).sort(\.$code).all()
        shapes = grids.compactMap { grid in grid.shape.map { Shape(code: grid.code, name: grid.name, shape: $0) } }
        fingerprint = current
        return shapes
    }
}

struct GridShapeCacheKey: StorageKey {
    typealias Value = GridShapeCache
}

extension Application {
    var gridShapeCache: GridShapeCache {
        if let cache = storage[GridShapeCacheKey.self] { return cache }
        let cache = GridShapeCache()
        storage[GridShapeCacheKey.self] = cache
        return cache
    }
}
