/// Where a point lies relative to a shape.
public enum PointLocation: Sendable, Hashable {
    case inside, boundary, outside
}

/// A polygon: one outer ring and any number of holes, each a closed ring (first == last), in degrees.
/// Values are immutable so the cached `bbox` can never go stale. Orientation is not enforced
/// (RFC 7946 says parsers must accept either); containment uses the even-odd rule, which ignores it.
public struct GeoPolygon: Hashable, Sendable, Codable {
    public let outer: [GeoPoint]
    public let holes: [[GeoPoint]]
    public let bbox: BoundingBox

    /// Closes any ring whose last point differs from its first. Does no other validation —
    /// untrusted input goes through `GeoJSON`, which rejects what this would silently accept.
    public init(outer: [GeoPoint], holes: [[GeoPoint]] = []) {
        self.outer = Self.closed(outer)
        self.holes = holes.map(Self.closed)
        self.bbox = BoundingBox(points: self.outer)
    }

    /// The outer ring followed by the holes.
    public var rings: [[GeoPoint]] { [outer] + holes }

    private static func closed(_ ring: [GeoPoint]) -> [GeoPoint] {
        guard let first = ring.first, ring.last != first else { return ring }
        return ring + [first]
    }

    // Only the rings are encoded; the bbox is derived again on decode.
    private enum CodingKeys: String, CodingKey { case outer, holes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(outer: try c.decode([GeoPoint].self, forKey: .outer),
                  holes: try c.decodeIfPresent([[GeoPoint]].self, forKey: .holes) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outer, forKey: .outer)
        try c.encode(holes, forKey: .holes)
    }

    // MARK: Point queries

    /// Even-odd (crossing number) test: inside the outer ring and in no hole. For points exactly on
    /// an edge the answer is deterministic but arbitrary — use `locate` when the boundary matters.
    public func contains(_ p: GeoPoint) -> Bool {
        locate(p, epsilon: -1) == .inside
    }

    /// True when `p` is within `epsilon` degrees (planar) of any edge of any ring. With `epsilon == 0`
    /// only points exactly collinear with, and within, an edge count (an exact orientation test).
    public func isOnBoundary(_ p: GeoPoint, epsilon: Double = 1e-9) -> Bool {
        guard bbox.expanded(by: Swift.max(epsilon, 0)).contains(p) else { return false }
        for ring in rings where Self.classify(ring, p, epsilon: Swift.max(epsilon, 0)).onBoundary { return true }
        return false
    }

    /// Inside / on the boundary (within `epsilon` degrees) / outside, in one pass over the edges.
    /// A negative `epsilon` skips boundary detection entirely (pure crossing-number test).
    public func locate(_ p: GeoPoint, epsilon: Double = 1e-9) -> PointLocation {
        guard bbox.expanded(by: Swift.max(epsilon, 0)).contains(p) else { return .outside }
        let outerHit = Self.classify(outer, p, epsilon: epsilon)
        if outerHit.onBoundary { return .boundary }
        guard outerHit.inside else { return .outside }
        for hole in holes {
            let h = Self.classify(hole, p, epsilon: epsilon)
            if h.onBoundary { return .boundary }
            if h.inside { return .outside }
        }
        return .inside
    }

    /// `locate(p) != .outside`: the closed polygon (interior plus boundary).
    public func covers(_ p: GeoPoint, epsilon: Double = 1e-9) -> Bool {
        locate(p, epsilon: epsilon) != .outside
    }

    /// Signed shoelace area in square degrees, outer ring minus holes; positive for a
    /// counter-clockwise outer ring. Only meant for validation and sanity checks, not for m².
    public var planarArea: Double {
        holes.reduce(abs(Self.signedArea(outer))) { $0 - abs(Self.signedArea($1)) }
    }

    static func signedArea(_ ring: [GeoPoint]) -> Double {
        guard ring.count >= 3 else { return 0 }
        // Relative to the first vertex: keeps the products small, so cancellation stays harmless.
        let o = ring[0]
        var twice = 0.0
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            twice += (a.lon - o.lon) * (b.lat - o.lat) - (b.lon - o.lon) * (a.lat - o.lat)
        }
        return twice / 2
    }

    /// The shared edge walk: crossing parity for the even-odd test plus boundary detection.
    /// Edges whose latitude span (grown by epsilon) misses the point are skipped before any
    /// arithmetic, which is what keeps a lookup down to a handful of comparisons per edge.
    @inline(__always)
    static func classify(_ ring: [GeoPoint], _ p: GeoPoint, epsilon: Double) -> (inside: Bool, onBoundary: Bool) {
        let n = ring.count
        guard n >= 2 else { return (false, false) }
        let eps = Swift.max(epsilon, 0)
        let eps2 = eps * eps
        let checkBoundary = epsilon >= 0
        var inside = false
        return ring.withUnsafeBufferPointer { r in
            for i in 1..<n {
                let a = r[i - 1], b = r[i]
                let loLat = Swift.min(a.lat, b.lat), hiLat = Swift.max(a.lat, b.lat)
                if p.lat < loLat - eps || p.lat > hiLat + eps { continue }
                if checkBoundary, onSegment(p, a, b, eps: eps, eps2: eps2) { return (inside, true) }
                // Half-open rule (a.lat > p.lat) != (b.lat > p.lat): a vertex on the ray counts once.
                if (a.lat > p.lat) != (b.lat > p.lat) {
                    let x = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
                    if p.lon < x { inside.toggle() }
                }
            }
            return (inside, false)
        }
    }

    /// Exact collinearity test first (so epsilon 0 means "exactly on the edge"), then the planar
    /// point-to-segment distance against epsilon.
    @inline(__always)
    static func onSegment(_ p: GeoPoint, _ a: GeoPoint, _ b: GeoPoint, eps: Double, eps2: Double) -> Bool {
        if p.lon < Swift.min(a.lon, b.lon) - eps || p.lon > Swift.max(a.lon, b.lon) + eps { return false }
        let dx = b.lon - a.lon, dy = b.lat - a.lat
        let px = p.lon - a.lon, py = p.lat - a.lat
        let cross = dx * py - dy * px
        if cross == 0,
           p.lon >= Swift.min(a.lon, b.lon), p.lon <= Swift.max(a.lon, b.lon),
           p.lat >= Swift.min(a.lat, b.lat), p.lat <= Swift.max(a.lat, b.lat) {
            return true
        }
        guard eps > 0 else { return false }
        let len2 = dx * dx + dy * dy
        if len2 == 0 { return px * px + py * py <= eps2 }
        let t = Swift.min(1, Swift.max(0, (px * dx + py * dy) / len2))
        let ex = px - t * dx, ey = py - t * dy
        return ex * ex + ey * ey <= eps2
    }
}

/// One or more polygons forming a single shape (a grid split by a river, say), with a cached bbox.
public struct GeoMultiPolygon: Hashable, Sendable, Codable {
    public let polygons: [GeoPolygon]
    public let bbox: BoundingBox

    public init(_ polygons: [GeoPolygon]) {
        self.polygons = polygons
        self.bbox = polygons.reduce(BoundingBox.empty) { $0.union($1.bbox) }
    }

    public init(_ polygon: GeoPolygon) { self.init([polygon]) }

    private enum CodingKeys: String, CodingKey { case polygons }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode([GeoPolygon].self, forKey: .polygons))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(polygons, forKey: .polygons)
    }

    /// Even-odd test per polygon; see `GeoPolygon.contains` for the boundary caveat.
    public func contains(_ p: GeoPoint) -> Bool {
        bbox.contains(p) && polygons.contains { $0.contains(p) }
    }

    public func isOnBoundary(_ p: GeoPoint, epsilon: Double = 1e-9) -> Bool {
        polygons.contains { $0.isOnBoundary(p, epsilon: epsilon) }
    }

    /// Boundary wins over inside: a point on one part's edge is `.boundary` even if (in an
    /// invalid, overlapping multipolygon) another part contains it.
    public func locate(_ p: GeoPoint, epsilon: Double = 1e-9) -> PointLocation {
        guard bbox.expanded(by: Swift.max(epsilon, 0)).contains(p) else { return .outside }
        var result = PointLocation.outside
        for polygon in polygons {
            switch polygon.locate(p, epsilon: epsilon) {
            case .boundary: return .boundary
            case .inside: result = .inside
            case .outside: break
            }
        }
        return result
    }

    public func covers(_ p: GeoPoint, epsilon: Double = 1e-9) -> Bool {
        locate(p, epsilon: epsilon) != .outside
    }

    public var planarArea: Double { polygons.reduce(0) { $0 + $1.planarArea } }
}
