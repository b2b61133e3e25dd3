import XCTest
@testable import WanggeDomain

final class DemoGeometryTests: XCTestCase {
    private let origin = GeoPoint(lon: 120.0, lat: 30.0)

    private func lattice(_ columns: Int = 8, _ rows: Int = 6, jitter: Double = 0.2, seed: UInt64 = 1) -> [[GeoPolygon]] {
        DemoGeometry.lattice(columns: columns, rows: rows, origin: origin, cellLon: 0.01, cellLat: 0.008,
                             jitter: jitter, seed: seed)
    }

    func testSplitMix64ReferenceValues() {
        // Published reference outputs of SplitMix64, so demo data never silently changes.
        var zero = SplitMix64(seed: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
        var r = SplitMix64(seed: 1_234_567)
        XCTAssertEqual(r.next(), 6_457_827_717_110_365_317)
        XCTAssertEqual(r.next(), 3_203_168_211_198_807_973)
        for _ in 0..<1_000 {
            let u = r.nextUnit()
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }

    func testShapeAndIndexing() {
        let cells = lattice(8, 6)
        XCTAssertEqual(cells.count, 8)
        XCTAssertTrue(cells.allSatisfy { $0.count == 6 })
        for column in cells {
            for cell in column {
                XCTAssertEqual(cell.outer.count, 9, "8 vertices + closing point")
                XCTAssertEqual(cell.outer.first, cell.outer.last)
                XCTAssertGreaterThan(GeoPolygon.signedArea(cell.outer), 0, "counter-clockwise (RFC 7946)")
            }
        }
        // [column][row]: column grows east, row grows north.
        XCTAssertLessThan(cells[0][0].bbox.center.lon, cells[1][0].bbox.center.lon)
        XCTAssertLessThan(cells[0][0].bbox.center.lat, cells[0][1].bbox.center.lat)
        XCTAssertEqual(DemoGeometry.lattice(columns: 0, rows: 3, origin: origin, cellLon: 1, cellLat: 1, jitter: 0, seed: 0).count, 0)
    }

    func testDeterministic() {
        XCTAssertEqual(lattice(seed: 5), lattice(seed: 5))
        XCTAssertNotEqual(lattice(seed: 5), lattice(seed: 6))
    }

    func testNeighboursShareExactEdgeVertices() {
        let cells = lattice(8, 6)
        for i in 0..<8 {
            for k in 0..<6 {
                let c = cells[i][k].outer
                if i + 1 < 8 { // east side of (i,k) is the west side of (i+1,k), walked the other way
                    let e = cells[i + 1][k].outer
                    XCTAssertEqual([c[2], c[3], c[4]], [e[0], e[7], e[6]], "cells \(i),\(k) / \(i + 1),\(k)")
                }
                if k + 1 < 6 { // north side of (i,k) is the south side of (i,k+1)
                    let n = cells[i][k + 1].outer
                    XCTAssertEqual([c[4], c[5], c[6]], [n[2], n[1], n[0]], "cells \(i),\(k) / \(i),\(k + 1)")
                }
            }
        }
    }

    func testTilesTheRectangleExactly() {
        for seed: UInt64 in [1, 2, 3] {
            let cells = lattice(10, 7, jitter: 0.24, seed: seed)
            let total = cells.joined().reduce(0) { $0 + $1.planarArea }
            XCTAssertEqual(total, 10 * 0.01 * 7 * 0.008, accuracy: 1e-12, "no gaps, no overlaps")
            let union = cells.joined().reduce(BoundingBox.empty) { $0.union($1.bbox) }
            XCTAssertEqual(union.minLon, 120.0)
            XCTAssertEqual(union.minLat, 30.0)
            XCTAssertEqual(union.maxLon, 120.0 + 10 * 0.01, accuracy: 1e-12)
            XCTAssertEqual(union.maxLat, 30.0 + 7 * 0.008, accuracy: 1e-12)
        }
    }

    func testCellsAreValidEvenAtMaximumJitter() {
        for seed: UInt64 in 0..<20 {
            for cell in lattice(10, 10, jitter: 0.9, seed: seed).joined() { // clamped to 0.24
                XCTAssertNoThrow(try GeoJSON.validate(cell), "seed \(seed)")
            }
        }
    }

    func testCellsAreNotRectangles() {
        let cells = lattice(4, 4, jitter: 0.2)
        let c = cells[1][1].outer[0] // interior corner
        XCTAssertNotEqual(c, GeoPoint(lon: 120.01, lat: 30.008))
        let flat = lattice(4, 4, jitter: 0)
        XCTAssertEqual(flat[1][1].outer[0].lon, 120.01, accuracy: 1e-12)
        XCTAssertEqual(flat[1][1].planarArea, 0.01 * 0.008, accuracy: 1e-15)
    }
}
