import XCTest
@testable import WanggeDomain

final class GridLocatorTests: XCTestCase {
    private let columns = 12, rows = 9
    private let origin = GeoPoint(lon: 120.1, lat: 30.2)
    private let cellLon = 0.005, cellLat = 0.0045
    private static let cells = DemoGeometry.lattice(columns: 12, rows: 9, origin: GeoPoint(lon: 120.1, lat: 30.2),
                                                    cellLon: 0.005, cellLat: 0.0045, jitter: 0.2, seed: 7)
    private var cells: [[GeoPolygon]] { Self.cells }

    /// Unpadded serials, so lexicographic order differs from numeric order ("G-10" < "G-9").
    private func id(_ i: Int, _ k: Int) -> String { "G-\(i * rows + k)" }

    private func makeLocator() -> GridLocator {
        var grids: [(id: String, shape: GeoMultiPolygon)] = []
        for i in 0..<columns { for k in 0..<rows { grids.append((id(i, k), GeoMultiPolygon(cells[i][k]))) } }
        var rng = SplitMix64(seed: 99)
        grids.shuffle(using: &rng) // input order must not matter
        return GridLocator(grids: grids)
    }

    private static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [GeoPoint] {
        [GeoPoint(lon: x0, lat: y0), GeoPoint(lon: x1, lat: y0), GeoPoint(lon: x1, lat: y1),
         GeoPoint(lon: x0, lat: y1), GeoPoint(lon: x0, lat: y0)]
    }

    /// Area centroid of the outer ring.
    private static func centroid(_ ring: [GeoPoint]) -> GeoPoint {
        var a = 0.0, cx = 0.0, cy = 0.0
        let o = ring[0]
        for i in 0..<(ring.count - 1) {
            let p = GeoPoint(lon: ring[i].lon - o.lon, lat: ring[i].lat - o.lat)
            let q = GeoPoint(lon: ring[i + 1].lon - o.lon, lat: ring[i + 1].lat - o.lat)
            let c = p.lon * q.lat - q.lon * p.lat
            a += c
            cx += (p.lon + q.lon) * c
            cy += (p.lat + q.lat) * c
        }
        return GeoPoint(lon: o.lon + cx / (3 * a), lat: o.lat + cy / (3 * a))
    }

    func testEveryCentroidLocatesToItsCell() {
        let locator = makeLocator()
        XCTAssertEqual(locator.count, columns * rows)
        for i in 0..<columns {
            for k in 0..<rows {
                XCTAssertEqual(locator.locate(Self.centroid(cells[i][k].outer)), id(i, k), "cell \(i),\(k)")
            }
        }
    }

    func testRandomPointsInsideTheLatticeHitExactlyOneCell() {
        let locator = makeLocator()
        let shapes = (0..<columns).flatMap { i in (0..<rows).map { k in (id(i, k), cells[i][k]) } }
        var rng = SplitMix64(seed: 2024)
        for n in 0..<5_000 {
            let p = GeoPoint(lon: origin.lon + rng.nextUnit() * Double(columns) * cellLon,
                             lat: origin.lat + rng.nextUnit() * Double(rows) * cellLat)
            let all = locator.locateAll(p)
            XCTAssertEqual(all.count, 1, "point \(n) at \(p) covered by \(all)")
            XCTAssertEqual(locator.locate(p), all.first)
            if n < 500 { // brute force agrees with the index
                let brute = shapes.filter { $0.1.covers(p) }.map(\.0)
                XCTAssertEqual(brute, all)
            }
        }
    }

    func testSharedEdgeResolvesToSmallestIdDeterministically() {
        let locator = makeLocator()
        // Cells (0,8) "G-8" and (1,8) "G-17" share the west side of (1,8): corner → midpoint → corner.
        let east = cells[1][8].outer
        let a = east[0], m = east[7] // south-west corner and west-side midpoint
        let onEdge = GeoPoint(lon: (a.lon + m.lon) / 2, lat: (a.lat + m.lat) / 2)
        let expected = "G-17" // lexicographically smaller than "G-8", though numerically larger
        XCTAssertEqual(Set(locator.locateAll(onEdge)), [id(0, 8), id(1, 8)])
        for _ in 0..<100 { XCTAssertEqual(locator.locate(onEdge), expected) }
        // The shared midpoint itself is a vertex of exactly these two cells.
        XCTAssertEqual(locator.locate(m), expected)
    }

    func testSharedVertexOfFourResolvesToSmallestId() {
        let locator = makeLocator()
        let corner = cells[1][8].outer[0] // interior vertex shared by (0,7), (1,7), (0,8), (1,8)
        let owners = [id(0, 7), id(1, 7), id(0, 8), id(1, 8)]
        XCTAssertEqual(owners, ["G-7", "G-16", "G-8", "G-17"])
        XCTAssertEqual(Set(locator.locateAll(corner)), Set(owners))
        let expected = "G-16" // lexicographic, not numeric: "G-16" < "G-17" < "G-7" < "G-8"
        for _ in 0..<100 { XCTAssertEqual(locator.locate(corner), expected) }
        // A second locator built from differently ordered input agrees.
        var reversed: [(id: String, shape: GeoMultiPolygon)] = []
        for i in (0..<columns).reversed() { for k in 0..<rows { reversed.append((id(i, k), GeoMultiPolygon(cells[i][k]))) } }
        XCTAssertEqual(GridLocator(grids: reversed).locate(corner), expected)
    }

    func testOutsideTheLattice() {
        let locator = makeLocator()
        XCTAssertNil(locator.locate(GeoPoint(lon: origin.lon - 0.001, lat: origin.lat + 0.01)))
        XCTAssertNil(locator.locate(GeoPoint(lon: 0, lat: 0)))
        XCTAssertNil(locator.locate(GeoPoint(lon: origin.lon + 1, lat: origin.lat + 1)))
        XCTAssertNil(GridLocator(grids: []).locate(origin))
    }

    func testHolesAndMultiPolygons() {
        let ring = GeoPolygon(outer: Self.square(0, 0, 10, 10), holes: [Self.square(4, 4, 6, 6)])
        let island = GeoPolygon(outer: Self.square(20, 0, 22, 2))
        let withHole = GridLocator(grids: [("B-ring", GeoMultiPolygon([ring, island]))])
        XCTAssertEqual(withHole.locate(GeoPoint(lon: 1, lat: 1)), "B-ring")
        XCTAssertEqual(withHole.locate(GeoPoint(lon: 21, lat: 1)), "B-ring", "second polygon of the multipolygon")
        XCTAssertNil(withHole.locate(GeoPoint(lon: 5, lat: 5)), "inside the hole")
        XCTAssertNil(withHole.locate(GeoPoint(lon: 15, lat: 1)), "between the parts")

        let filler = GeoMultiPolygon(GeoPolygon(outer: Self.square(4, 4, 6, 6)))
        let filled = GridLocator(grids: [("B-ring", GeoMultiPolygon([ring, island])), ("Z-fill", filler)])
        XCTAssertEqual(filled.locate(GeoPoint(lon: 5, lat: 5)), "Z-fill", "the hole belongs to the grid filling it")
        XCTAssertEqual(filled.locate(GeoPoint(lon: 4, lat: 5)), "B-ring", "hole edge: both cover it, smaller id wins")
        XCTAssertEqual(filled.locateAll(GeoPoint(lon: 4, lat: 5)), ["B-ring", "Z-fill"])
    }

    func testOverlappingGridsPickSmallestId() {
        let a = GeoMultiPolygon(GeoPolygon(outer: Self.square(0, 0, 2, 2)))
        let b = GeoMultiPolygon(GeoPolygon(outer: Self.square(1, 1, 3, 3)))
        let locator = GridLocator(grids: [("b", b), ("a", a)])
        XCTAssertEqual(locator.locate(GeoPoint(lon: 1.5, lat: 1.5)), "a")
        XCTAssertEqual(locator.locate(GeoPoint(lon: 2.5, lat: 2.5)), "b")
        XCTAssertEqual(locator.locateAll(GeoPoint(lon: 1.5, lat: 1.5)), ["a", "b"])
    }

    func testBenchmarkRuns() {
        let result = GridLocatorBenchmark.run(grids: 400, lookups: 5_000, seed: 1)
        XCTAssertEqual(result.grids, 400)
        XCTAssertEqual(result.lookups, 5_000)
        XCTAssertGreaterThan(result.hits, 0)
        XCTAssertLessThan(result.hits, 5_000, "some samples fall outside the lattice")
        XCTAssertTrue(result.report.contains("p99"))
    }
}
