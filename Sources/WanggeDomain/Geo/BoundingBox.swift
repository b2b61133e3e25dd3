/// Axis-aligned box in degrees. `empty` (min = +∞, max = −∞) is the identity for `union`, so
/// boxes can be folded from any number of points without optionals; it contains and intersects nothing.
/// Does not handle the antimeridian: nothing in this system is near ±180°.
public struct BoundingBox: Hashable, Sendable, Codable {
    public var minLon: Double
    public var minLat: Double
    public var maxLon: Double
    public var maxLat: Double

    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon
        self.minLat = minLat
        self.maxLon = maxLon
        self.maxLat = maxLat
    }

    public static let empty = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)

    /// The smallest box holding all points; `.empty` when there are none.
    public init<S: Sequence>(points: S) where S.Element == GeoPoint {
        self = .empty
        for p in points { extend(p) }
    }

    public var isEmpty: Bool { !(minLon <= maxLon && minLat <= maxLat) }
    public var width: Double { isEmpty ? 0 : maxLon - minLon }
    public var height: Double { isEmpty ? 0 : maxLat - minLat }
    public var center: GeoPoint { GeoPoint(lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2) }

    /// Edges count as inside, so points on a grid's outline are never rejected by the box pre-check.
    @inline(__always)
    public func contains(_ p: GeoPoint) -> Bool {
        p.lon >= minLon && p.lon <= maxLon && p.lat >= minLat && p.lat <= maxLat
    }

    /// Touching boxes intersect (closed intervals), for the same reason.
    public func intersects(_ other: BoundingBox) -> Bool {
        minLon <= other.maxLon && other.minLon <= maxLon && minLat <= other.maxLat && other.minLat <= maxLat
    }

    public func union(_ other: BoundingBox) -> BoundingBox {
        BoundingBox(minLon: Swift.min(minLon, other.minLon), minLat: Swift.min(minLat, other.minLat),
                    maxLon: Swift.max(maxLon, other.maxLon), maxLat: Swift.max(maxLat, other.maxLat))
    }

    public mutating func extend(_ p: GeoPoint) {
        minLon = Swift.min(minLon, p.lon)
        minLat = Swift.min(minLat, p.lat)
        maxLon = Swift.max(maxLon, p.lon)
        maxLat = Swift.max(maxLat, p.lat)
    }

    /// Grown by `margin` degrees on every side; the empty box stays empty.
    public func expanded(by margin: Double) -> BoundingBox {
        isEmpty ? self : BoundingBox(minLon: minLon - margin, minLat: minLat - margin,
                                     maxLon: maxLon + margin, maxLat: maxLat + margin)
    }
}
