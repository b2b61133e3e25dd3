import XCTest
@testable import WanggeDomain

final class SVGProjectionTests: XCTestCase {
    private let box = BoundingBox(minLon: 120.0, minLat: 30.0, maxLon: 120.2, maxLat: 30.1)

    func testRoundTrip() {
        let proj = SVGProjection(bounds: box, width: 800, height: 600, padding: 10)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<1_000 {
            let p = GeoPoint(lon: rng.nextDouble(in: 119.9, 120.3), lat: rng.nextDouble(in: 29.9, 30.2))
            let (x, y) = proj.project(p)
            let back = proj.unproject(x: x, y: y)
            XCTAssertEqual(back.lon, p.lon, accuracy: 1e-9)
            XCTAssertEqual(back.lat, p.lat, accuracy: 1e-9)
        }
        // And pixel → degrees → pixel, the click path.
        let g = proj.unproject(x: 123.4, y: 456.7)
        let (x, y) = proj.project(g)
        XCTAssertEqual(x, 123.4, accuracy: 1e-6)
        XCTAssertEqual(y, 456.7, accuracy: 1e-6)
    }

    func testAspectRatioPaddingAndOrientation() {
        let proj = SVGProjection(bounds: box, width: 800, height: 600, padding: 10)
        let nw = proj.project(GeoPoint(lon: box.minLon, lat: box.maxLat))
        let se = proj.project(GeoPoint(lon: box.maxLon, lat: box.minLat))
        XCTAssertLessThan(nw.y, se.y, "y grows downward: north is up")
        let w = se.x - nw.x, h = se.y - nw.y
        XCTAssertEqual(w / h, 0.2 * cos(30.05 * .pi / 180) / 0.1, accuracy: 1e-9, "lon scaled by cos(mid-lat)")
        // Width-limited here: fills 800 - 2·10 and is centred vertically.
        XCTAssertEqual(w, 780, accuracy: 1e-9)
        XCTAssertEqual(nw.x, 10, accuracy: 1e-9)
        XCTAssertEqual(nw.y, 600 - se.y, accuracy: 1e-9)
        XCTAssertGreaterThanOrEqual(nw.y, 10)
    }

    func testPathData() {
        let proj = SVGProjection(bounds: BoundingBox(minLon: 0, minLat: 0, maxLon: 10, maxLat: 10),
                                 width: 100, height: 100, padding: 0)
        func sq(_ a: Double, _ b: Double) -> [GeoPoint] {
            [GeoPoint(lon: a, lat: a), GeoPoint(lon: b, lat: a), GeoPoint(lon: b, lat: b), GeoPoint(lon: a, lat: b)]
        }
        let polygon = GeoPolygon(outer: sq(0, 10), holes: [sq(4, 6)])
        let d = proj.pathData(GeoMultiPolygon(polygon))
        XCTAssertEqual(d.filter { $0 == "Z" }.count, 2, "one Z per ring")
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2)
        XCTAssertTrue(d.hasPrefix("M"))
        // Every number has exactly one decimal place.
        let numbers = d.split(whereSeparator: { "MLZ ".contains($0) })
        XCTAssertEqual(numbers.count, 16, "4 points × 2 rings × (x, y); closing points are not repeated")
        for n in numbers {
            let parts = n.split(separator: ".")
            XCTAssertEqual(parts.count, 2, String(n))
            XCTAssertEqual(parts.last?.count, 1, String(n))
        }
        let mx = proj.project(GeoPoint(lon: 0, lat: 0))
        XCTAssertTrue(d.hasPrefix("M\(tenth(mx.x)) \(tenth(mx.y))L"), d)
        // Points rounding to the same tenth of a pixel are emitted once.
        let dense = GeoPolygon(outer: [GeoPoint(lon: 0, lat: 0), GeoPoint(lon: 0.0001, lat: 0),
                                       GeoPoint(lon: 10, lat: 0), GeoPoint(lon: 10, lat: 10)])
        XCTAssertEqual(proj.pathData(dense).filter { $0 == "L" }.count, 2)
    }

    private func tenth(_ v: Double) -> String {
        let t = Int((v * 10).rounded())
        return "\(t < 0 ? "-" : "")\(abs(t) / 10).\(abs(t) % 10)"
    }

    func testDegenerateBoundsStayFinite() {
        let p = GeoPoint(lon: 120, lat: 30)
        let proj = SVGProjection(bounds: BoundingBox(points: [p]), width: 200, height: 100)
        let (x, y) = proj.project(p)
        XCTAssertTrue(x.isFinite && y.isFinite)
        XCTAssertEqual(x, 100, accuracy: 1e-9)
        XCTAssertEqual(y, 50, accuracy: 1e-9)
    }
}
