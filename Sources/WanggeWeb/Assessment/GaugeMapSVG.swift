import Fluent
import Vapor
import WanggePersistence
import Foundation
import WanggeDomain

/// Grids shaded by how many cases are open in them, red-outlined where some are overdue.
enum GaugeMapSVG {
    static func render(_ map: GridShapeCache.ProjectedMap, gauges: [String: (open: Int, overdue: Int)], title: String) -> String {
        guard !map.grids.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(map.width)) 60\" role=\"img\"><title>\(GridMapSVG.escape(title))</title><text x=\"12\" y=\"34\">—</text></svg>"
        }
        let most = max(1, gauges.values.map(\.open).max() ?? 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gauge-map\" viewBox=\"0 0 \(Int(map.width)) \(Int(map.height))\" role=\"img\" aria-label=\"\(GridMapSVG.escape(title))\"><title>\(GridMapSVG.escape(title))</title>"
        out.reserveCapacity(map.grids.reduce(0) { $0 + $1.path.utf8.count + 160 })
        for grid in map.grids {
            let g = gauges[grid.code] ?? (0, 0)
            // Square-root scale, so a few busy grids do not wash out the rest.
            let level = g.open == 0 ? 0 : Int((15 + 85 * (Double(g.open) / Double(most)).squareRoot()).rounded())
            let stroke = g.overdue > 0 ? " stroke=\"#e53935\" stroke-width=\"2\"" : ""
            out += "<path class=\"grid\(g.overdue > 0 ? " overdue" : "")\" d=\"" + grid.path + "\" fill=\"#ffb74d\" fill-opacity=\"\(level)%\"\(stroke)>"
            out += "<title>" + grid.escapedName + ":在办 \(g.open),超期 \(g.overdue)</title></path>"
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

    /// The grids of an area projected once into SVG path data, for maps redrawn on every request.
    struct ProjectedMap: Sendable {
        struct Grid: Sendable {
            var code: String
            var escapedName: String
            var path: String
        }

        var width: Double
        var height: Double
        var grids: [Grid]
    }

    private struct Loaded: Sendable {
        var fingerprint: String
        var shapes: [Shape]
    }

    /// The fingerprint is asked on every map (a leader's page, not a hot path); callers at once share one load.
    private let loaded = RefreshingValue<Loaded>(lifetime: .zero)
    private var projected: [String: ProjectedMap] = [:]
    private var projectedFingerprint = ""

    private func load(on db: any Database) async throws -> Loaded {
        try await loaded.get { previous in
            let current = try await GridLocatorCache.fingerprint(on: db)
            if let previous, previous.fingerprint == current { return previous }
            let grids = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).sort(\.$code).all()
            return Loaded(fingerprint: current, shapes: grids.compactMap { grid in grid.shape.map { Shape(code: grid.code, name: grid.name, shape: $0) } })
        }
    }

    func map(of scope: OrgScope, width: Double, height: Double, on db: any Database) async throws -> ProjectedMap {
        let current = try await load(on: db)
        if current.fingerprint != projectedFingerprint {
            projected = [:]
            projectedFingerprint = current.fingerprint
        }
        let all = current.shapes
        let key = "\(scope.level.rawValue):\(scope.code):\(Int(width))x\(Int(height))"
        if let cached = projected[key] { return cached }
        let inside = all.filter { scope.contains(OrgCode.ancestry(of: $0.code)) }
        let bounds = inside.reduce(BoundingBox.empty) { $0.union($1.shape.bbox) }
        var map = ProjectedMap(width: width, height: height, grids: [])
        if !bounds.isEmpty {
            let projection = SVGProjection(bounds: bounds, width: width, height: height, padding: 12)
            map.grids = inside.map { .init(code: $0.code, escapedName: GridMapSVG.escape($0.name), path: projection.pathData($0.shape)) }
        }
        projected[key] = map
        return map
    }
}

struct GridShapeCacheKey: StorageKey {
    typealias Value = GridShapeCache
}

extension Application {
    var gridShapeCache: GridShapeCache {
        stored(GridShapeCacheKey.self, orMake: GridShapeCache())
    }
}
