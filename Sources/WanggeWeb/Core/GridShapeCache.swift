import Fluent
import Vapor
import WanggeDomain

/// The grids of an area projected once into SVG path data, kept until a grid changes: the work list,
/// the case pages, the report form and the dashboard redraw the same map on every request, and
/// projecting a county's 1,000 outlines again was most of a dispatcher's work list (4 of 7 ms).
/// The grids come from `GridLocatorCache`, so a change made by another instance shows here when
/// the locator notices it (within two seconds) and this instance's own edits at once.
actor GridShapeCache {
    struct ProjectedMap: Sendable {
        struct Grid: Sendable {
            var code: String
            var escapedName: String
            /// The name's last four characters, escaped: a small area's map writes them at the centre.
            var escapedLabel: String
            var path: String
            /// Where the middle of its bounding box falls, for a grid's counted markers.
            var centreX: Double
            var centreY: Double
            /// Its counted markers' circle up to the radius, and from after the colour to the count
            /// (`CaseMapSVG.render`), written once: the overview writes a county's thousand of them at every view.
            var clusterHead: String
            var clusterMiddle: String
        }

        var width: Double
        var height: Double
        /// Nil when the area has no grid with a boundary.
        var projection: SVGProjection?
        var grids: [Grid]
        /// Each grid's place in `grids`, by its code.
        var gridIndex: [String: Int] = [:]
        /// Every grid's outline as the case maps draw it (`CaseMapSVG.outlines`), written once when the cache projects the
        /// map: the overview, the work list and the case pages wrote the same thousand paths again at every view (a sixth
        /// of the overview's samples). Compressed once too, for the pages that carry them (`PrecompressedText`). Nil for a
        /// map made outside the cache; it is written at each drawing then.
        var caseMapOutlines: PrecompressedText?
    }

    private let source: GridLocatorCache
    private var projected: [String: ProjectedMap] = [:]
    private var projectedFingerprint = ""

    init(source: GridLocatorCache) {
        self.source = source
    }

    /// The grids inside any of `scopes` (every grid when there are none), fitted to width × height.
    func map(of scopes: [OrgScope], width: Double, height: Double, on db: any Database) async throws -> ProjectedMap {
        let current = try await source.drawn(on: db)
        if current.fingerprint != projectedFingerprint {
            projected = [:]
            projectedFingerprint = current.fingerprint
        }
        let key = scopes.map { "\($0.level.rawValue):\($0.code)" }.joined(separator: ",") + "@\(Int(width))x\(Int(height))"
        if let cached = projected[key] { return cached }
        let inside = current.grids.filter { grid in scopes.isEmpty || scopes.contains { $0.contains(grid.ancestry) } }
        var map = ProjectedMap(inside, width: width, height: height)
        map.caseMapOutlines = PrecompressedText(CaseMapSVG.outlines(of: map.grids))
        projected[key] = map
        return map
    }
}

extension GridShapeCache.ProjectedMap {
    /// `grids` fitted to width × height, 12 px from the edges, together with `extra` (a boundary
    /// being previewed, wherever it lies).
    init(_ grids: [GridLocatorCache.MapGrid], width: Double, height: Double, fitting extra: BoundingBox = .empty) {
        self.init(width: width, height: height, projection: nil, grids: [])
        let bounds = grids.reduce(extra) { $0.union($1.shape.bbox) }
        guard !bounds.isEmpty else { return }
        let projection = SVGProjection(bounds: bounds, width: width, height: height, padding: 12)
        self.projection = projection
        self.grids = grids.map { grid in
            let centre = projection.project(grid.shape.bbox.center)
            let (x, y) = (CaseMapSVG.f(centre.x), CaseMapSVG.f(centre.y))
            return Grid(code: grid.code, escapedName: Markup.escape(grid.name), escapedLabel: Markup.escape(String(grid.name.suffix(4))),
                        path: projection.pathData(grid.shape), centreX: centre.x, centreY: centre.y,
                        clusterHead: "<g class=\"cluster\"><circle cx=\"\(x)\" cy=\"\(y)\" r=\"",
                        clusterMiddle: "\" fill-opacity=\"0.85\"/><text x=\"\(x)\" y=\"\(CaseMapSVG.f(centre.y + 4))\" text-anchor=\"middle\" class=\"count\">")
        }
        gridIndex = Dictionary(self.grids.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

struct GridShapeCacheKey: StorageKey {
    typealias Value = GridShapeCache
}

extension Application {
    var gridShapeCache: GridShapeCache {
        stored(GridShapeCacheKey.self, orMake: GridShapeCache(source: gridLocatorCache))
    }
}
