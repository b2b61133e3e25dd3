import Foundation

/// Maps degrees to SVG pixels for server-rendered grid maps, and clicked pixels back to degrees.
///
/// Equirectangular with longitude scaled by cos(mid-latitude): at 30°N a degree of longitude is only
/// 0.87 of a degree of latitude on the ground, and ignoring that would stretch every grid sideways.
/// At township scale the error of this projection is far below a pixel. The content keeps its aspect
/// ratio and is centred inside width × height minus `padding` on each side; y grows downward.
public struct SVGProjection: Hashable, Sendable {
    public let bounds: BoundingBox
    public let width: Double
    public let height: Double
    public let padding: Double
    /// Pixels per degree of latitude; longitude gets `scale * lonFactor`.
    public let scale: Double
    public let lonFactor: Double
    private let offsetX: Double
    private let offsetY: Double

    public init(bounds: BoundingBox, width: Double, height: Double, padding: Double = 8) {
        // An empty or degenerate box (one point, a meridian) is widened to ~100 m so the
        // scale stays finite and the shape sits in the middle.
        var b = bounds.isEmpty ? BoundingBox(minLon: 0, minLat: 0, maxLon: 0, maxLat: 0) : bounds
        if !(b.width > 0) { b.minLon -= 0.0005; b.maxLon += 0.0005 }
        if !(b.height > 0) { b.minLat -= 0.0005; b.maxLat += 0.0005 }
        self.bounds = b
        self.width = width
        self.height = height
        self.padding = padding
        lonFactor = cos((b.minLat + b.maxLat) / 2 * .pi / 180)
        let contentW = b.width * lonFactor, contentH = b.height
        let availW = max(width - 2 * padding, 1), availH = max(height - 2 * padding, 1)
        scale = min(availW / contentW, availH / contentH)
        offsetX = (width - b.width * lonFactor * scale) / 2
        offsetY = (height - b.height * scale) / 2
    }

    public func project(_ p: GeoPoint) -> (x: Double, y: Double) {
        (offsetX + (p.lon - bounds.minLon) * lonFactor * scale,
         offsetY + (bounds.maxLat - p.lat) * scale)
    }

    /// Exact inverse of `project` (up to rounding), for click-to-locate on a rendered map.
    public func unproject(x: Double, y: Double) -> GeoPoint {
        GeoPoint(lon: bounds.minLon + (x - offsetX) / (lonFactor * scale),
                 lat: bounds.maxLat - (y - offsetY) / scale)
    }

    /// SVG path data, one subpath per ring, each ending in `Z`. Holes are plain subpaths, so render
    /// with `fill-rule="evenodd"`. One decimal place is 0.1 px — invisible — and keeps pages small;
    /// consecutive points that round to the same pixel are dropped.
    public func pathData(_ shape: GeoMultiPolygon) -> String {
        var d = ""
        for polygon in shape.polygons { append(polygon, to: &d) }
        return d
    }

    public func pathData(_ polygon: GeoPolygon) -> String {
        var d = ""
        append(polygon, to: &d)
        return d
    }

    private func append(_ polygon: GeoPolygon, to d: inout String) {
        for ring in polygon.rings where ring.count >= 2 {
            // The closing point repeats the first; `Z` draws that edge.
            let open = ring.first == ring.last ? ring.dropLast() : ring[...]
            var last: (Int, Int)?
            for p in open {
                let (x, y) = project(p)
                // Garbage coordinates must not crash a page render via Int(_:) trapping.
                guard abs(x) < 1e12, abs(y) < 1e12 else { continue }
                let t = (Int((x * 10).rounded()), Int((y * 10).rounded()))
                if let last, last == t { continue }
                d += (last == nil ? "M" : "L") + Self.tenths(t.0) + " " + Self.tenths(t.1)
                last = t
            }
            d += "Z"
        }
    }

    /// Fixed-point tenths without `String(format:)`: faster, and no locale can turn "." into ",".
    private static func tenths(_ v: Int) -> String {
        let sign = v < 0 ? "-" : ""
        let a = v.magnitude
        return "\(sign)\(a / 10).\(a % 10)"
    }
}
