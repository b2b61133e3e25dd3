import Foundation

/// A WGS-84 position. Field order is lon, lat — the GeoJSON order — because mixing the two up
/// is the classic bug with Chinese map data (most web map APIs take lat first).
public struct GeoPoint: Hashable, Sendable, Codable {
    public var lon: Double
    public var lat: Double

    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }

    /// Mean Earth radius (IUGG), metres.
    public static let earthRadiusMeters = 6_371_008.8

    public var isValidWGS84: Bool {
        lon.isFinite && lat.isFinite && (-180.0...180.0).contains(lon) && (-90.0...90.0).contains(lat)
    }

    /// Great-circle distance (haversine). Good to ~0.5 % against the ellipsoid, plenty for
    /// "how far is the reporter from the incident" questions.
    public func distanceMeters(to other: GeoPoint) -> Double {
        let rad = Double.pi / 180
        let dLat = (other.lat - lat) * rad
        let dLon = (other.lon - lon) * rad
        let s = sin(dLat / 2), t = sin(dLon / 2)
        let h = s * s + cos(lat * rad) * cos(other.lat * rad) * t * t
        // min() guards asin against h drifting just above 1 for antipodal points.
        return 2 * Self.earthRadiusMeters * asin(min(1, h.squareRoot()))
    }
}
