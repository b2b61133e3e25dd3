import XCTest
@testable import WanggeDomain

final class GeoJSONTests: XCTestCase {
    private let square = #"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]}"#

    private func parseError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> GeoJSONError? {
        do {
            _ = try GeoJSON.parseFeatures(json)
            XCTFail("expected a GeoJSONError", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Containment

    func testPolygonWithHole() throws {
        let shape = try GeoJSON.parseGeometry(square)
        XCTAssertTrue(shape.contains(GeoPoint(lon: 2, lat: 2)))
        XCTAssertFalse(shape.contains(GeoPoint(lon: 11, lat: 2)))
        XCTAssertFalse(shape.contains(GeoPoint(lon: 5, lat: 5)), "inside the hole")
        XCTAssertEqual(shape.locate(GeoPoint(lon: 5, lat: 5)), .outside)
        XCTAssertEqual(shape.locate(GeoPoint(lon: 2, lat: 2)), .inside)
        XCTAssertEqual(shape.locate(GeoPoint(lon: 10, lat: 3)), .boundary)
        XCTAssertEqual(shape.locate(GeoPoint(lon: 4, lat: 5)), .boundary, "hole edge is boundary too")
        XCTAssertTrue(shape.isOnBoundary(GeoPoint(lon: 0, lat: 0), epsilon: 0), "vertex, exact test")
        XCTAssertTrue(shape.isOnBoundary(GeoPoint(lon: 5, lat: 1e-12)))
        XCTAssertFalse(shape.isOnBoundary(GeoPoint(lon: 5, lat: 1e-6)))
        XCTAssertFalse(shape.isOnBoundary(GeoPoint(lon: 5, lat: 1e-12), epsilon: 0))
    }

    func testSecondPolygonOfMultiPolygon() throws {
        let json = #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}"#
        let shape = try GeoJSON.parseGeometry(json)
        XCTAssertEqual(shape.polygons.count, 2)
        XCTAssertTrue(shape.contains(GeoPoint(lon: 5.5, lat: 5.5)))
        XCTAssertTrue(shape.contains(GeoPoint(lon: 0.5, lat: 0.5)))
        XCTAssertFalse(shape.contains(GeoPoint(lon: 3, lat: 3)), "between the parts, inside the bbox")
        XCTAssertEqual(shape.bbox, BoundingBox(minLon: 0, minLat: 0, maxLon: 6, maxLat: 6))
    }

    // MARK: Accepted inputs

    func testFeatureCollectionProperties() throws {
        let json = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"330110001001-01","name":"一网格","level":3,"area":1.5,"big":12345678901234567,"ok":true,"x":null},
           "geometry":{"type":"Polygon","coordinates":[[[120,30],[120.01,30],[120.01,30.01],[120,30.01],[120,30]]]}},
          {"type":"Feature","properties":null,
           "geometry":{"type":"MultiPolygon","coordinates":[[[[121,31],[121.01,31],[121.01,31.01],[121,31]]]]}}
        ]}
        """
        let features = try GeoJSON.parseFeatures(json)
        XCTAssertEqual(features.count, 2)
        XCTAssertEqual(features[0].properties, ["code": "330110001001-01", "name": "一网格", "level": "3",
                                                "area": "1.5", "big": "12345678901234567"])
        XCTAssertEqual(features[1].properties, [:])
        XCTAssertTrue(features[1].shape.contains(GeoPoint(lon: 121.007, lat: 31.003)))
    }

    func testSingleShapeWrappersAreAccepted() throws {
        let feature = #"{"type":"Feature","properties":{},"geometry":\#(square)}"#
        let collection = #"{"type":"FeatureCollection","features":[\#(feature)]}"#
        let expected = try GeoJSON.parseGeometry(square)
        XCTAssertEqual(try GeoJSON.parseGeometry(feature), expected)
        XCTAssertEqual(try GeoJSON.parseGeometry(collection), expected)
        XCTAssertEqual(try GeoJSON.parseGeometry(Data(("\u{FEFF}" + square).utf8)), expected, "UTF-8 BOM")
        let two = #"{"type":"FeatureCollection","features":[\#(feature),\#(feature)]}"#
        XCTAssertThrowsError(try GeoJSON.parseGeometry(two)) {
            XCTAssertEqual($0 as? GeoJSONError, .multipleFeatures(count: 2))
        }
    }

    func testAltitudeAndRepeatedPointsAreTolerated() throws {
        let json = #"{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,0],[1,1],[0,1],[0,0]]]}"#
        let shape = try GeoJSON.parseGeometry(json)
        XCTAssertEqual(shape.polygons[0].outer.count, 5, "duplicate consecutive vertex dropped")
    }

    func testFirstAndLastEdgesAreAdjacentNotIntersecting() throws {
        // The closing edge shares the start vertex with the first edge; a validator that only skips
        // i/i+1 pairs would wrongly report this as a touch.
        let json = #"{"type":"Polygon","coordinates":[[[0,0],[2,0],[3,1],[2,2],[0,2],[-1,1],[0,0]]]}"#
        XCTAssertNoThrow(try GeoJSON.parseGeometry(json))
        // …but a closing edge that crosses another edge is caught.
        let crossing = #"{"type":"Polygon","coordinates":[[[0,2],[2,0],[2,4],[3,4],[3,1],[0,2]]]}"#
        guard case .selfIntersection(let near, _)? = parseError(crossing) else { return XCTFail("closing edge crossing not caught") }
        XCTAssertEqual(near.lon, 2, accuracy: 1e-12)
        XCTAssertEqual(near.lat, 4.0 / 3, accuracy: 1e-12)
    }

    // MARK: Errors

    func testMalformedJSON() {
        guard case .invalidJSON? = parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,0]"#) else { return XCTFail() }
        guard case .invalidJSON? = parseError("") else { return XCTFail() }
        XCTAssertEqual(parseError("[1,2]"), .notAnObject(at: GeoJSONLocation()))
    }

    func testUnclosedRing() {
        let e = parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#)
        XCTAssertEqual(e, .ringNotClosed(at: GeoJSONLocation(ring: 0)))
        XCTAssertEqual(e?.messageZH, "多边形第 1 个环(外环)未闭合(首尾坐标必须相同)。")
        XCTAssertEqual(e?.code, "geojson.ring_not_closed")
    }

    func testThreePointRing() {
        let e = parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#)
        XCTAssertEqual(e, .ringTooShort(count: 3, at: GeoJSONLocation(ring: 0)))
    }

    func testBowTie() {
        let e = parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#)
        guard case .selfIntersection(let near, let at)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(at, GeoJSONLocation(ring: 0))
        XCTAssertEqual(near.lon, 0.5, accuracy: 1e-12)
        XCTAssertEqual(near.lat, 0.5, accuracy: 1e-12)
    }

    func testRingTouchingItselfAtAVertex() {
        // Figure-eight through (1,1): edges meet only at a repeated vertex.
        let e = parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,0],[2,2],[1,1],[0,2],[0,0]]]}"#)
        guard case .selfIntersection(let near, _)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(near, GeoPoint(lon: 1, lat: 1))
    }

    func testZeroArea() {
        XCTAssertEqual(parseError(#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[3,3],[0,0]]]}"#),
                       .zeroArea(at: GeoJSONLocation(ring: 0)))
    }

    func testLatitudeOutOfRange() {
        let e = parseError(#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,95],[120,30]]]}"#)
        XCTAssertEqual(e, .coordinateOutOfRange(lon: 121, lat: 95, at: GeoJSONLocation(ring: 0, position: 2)))
        XCTAssertTrue(e?.messageZH.contains("WGS-84") ?? false)
    }

    func testStringCoordinates() {
        let e = parseError(#"{"type":"Polygon","coordinates":[[["120.1","30.2"],[121,30],[121,31],[120.1,30.2]]]}"#)
        XCTAssertEqual(e, .nonNumericCoordinate(at: GeoJSONLocation(ring: 0, position: 0)))
    }

    func testLineStringIsUnsupported() {
        let e = parseError(#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#)
        XCTAssertEqual(e, .unsupportedType("LineString", at: GeoJSONLocation()))
        XCTAssertTrue(e?.messageZH.contains("LineString") ?? false)
    }

    func testErrorsNameFeaturePolygonAndHole() {
        // Second feature, second polygon, its hole (ring 2) is unclosed.
        let json = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[
            [[[0,0],[1,0],[1,1],[0,0]]],
            [[[5,5],[9,5],[9,9],[5,9],[5,5]],[[6,6],[7,6],[7,7],[6,7]]]]}}
        ]}
        """
        let e = parseError(json)
        XCTAssertEqual(e, .ringNotClosed(at: GeoJSONLocation(feature: 1, polygon: 1, ring: 1)))
        XCTAssertEqual(e?.messageZH, "第 2 个要素中,第 2 个多边形的第 2 个环(内环,即第 1 个洞)未闭合(首尾坐标必须相同)。")
        XCTAssertEqual(e?.appError().code, "geojson.ring_not_closed")
        XCTAssertEqual(e?.appError().kind, .badRequest)
    }

    func testStructuralErrors() {
        XCTAssertEqual(parseError(#"{"coordinates":[]}"#), .missingMember("type", at: GeoJSONLocation()))
        XCTAssertEqual(parseError(#"{"type":"Polygon"}"#), .missingMember("coordinates", at: GeoJSONLocation()))
        XCTAssertEqual(parseError(#"{"type":"Polygon","coordinates":[]}"#), .empty(at: GeoJSONLocation()))
        XCTAssertEqual(parseError(#"{"type":"FeatureCollection","features":[]}"#), .empty(at: GeoJSONLocation()))
        XCTAssertEqual(parseError(#"{"type":"Feature","geometry":null}"#), .missingMember("geometry", at: GeoJSONLocation()))
        XCTAssertEqual(parseError(#"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#),
                       .invalidCoordinates(at: GeoJSONLocation(ring: 0, position: 0)))
        XCTAssertEqual(parseError(#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}"#),
                       .unsupportedType("Point", at: GeoJSONLocation(feature: 0)))
    }

    func testEveryErrorHasMessages() {
        let loc = GeoJSONLocation(feature: 0, polygon: 0, ring: 0, position: 0)
        let all: [GeoJSONError] = [
            .invalidJSON(detail: "x"), .notAnObject(at: loc), .missingMember("type", at: loc),
            .wrongMemberType("features", at: loc), .unsupportedType("Point", at: loc), .invalidCoordinates(at: loc),
            .nonNumericCoordinate(at: loc), .coordinateOutOfRange(lon: 1, lat: 95, at: loc),
            .ringTooShort(count: 3, at: loc), .ringNotClosed(at: loc),
            .selfIntersection(near: GeoPoint(lon: 0, lat: 0), at: loc), .zeroArea(at: loc), .empty(at: loc),
            .multipleFeatures(count: 2),
        ]
        XCTAssertEqual(Set(all.map(\.code)).count, all.count)
        for e in all {
            XCTAssertFalse(e.messageZH.isEmpty)
            XCTAssertFalse(e.messageEN.isEmpty)
        }
    }

    // MARK: Serialisation

    func testRoundTrip() throws {
        let json = #"{"type":"MultiPolygon","coordinates":[[[[120.123456789,30.5],[120.2,30.5],[120.2,30.6],[120.123456789,30.5]]],[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]]}"#
        let first = try GeoJSON.parseGeometry(json)
        let text = first.geoJSONString
        XCTAssertEqual(text, json, "compact, integral numbers without .0, input order kept")
        let second = try GeoJSON.parseGeometry(text)
        XCTAssertEqual(first, second)
        XCTAssertEqual(second.geoJSONString, text, "deterministic")
        let polygon = try GeoJSON.parseGeometry(square).polygons[0]
        XCTAssertEqual(try GeoJSON.parseGeometry(polygon.geoJSONString).polygons[0], polygon)
    }

    func testValidateRejectsCodeBuiltBowTie() {
        let bowTie = GeoPolygon(outer: [GeoPoint(lon: 0, lat: 0), GeoPoint(lon: 1, lat: 1),
                                        GeoPoint(lon: 1, lat: 0), GeoPoint(lon: 0, lat: 1)])
        XCTAssertEqual(bowTie.outer.count, 5, "init closes the ring")
        XCTAssertThrowsError(try GeoJSON.validate(bowTie))
    }
}
