import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class OrgUnitsAPITests: XCTestCase {
    static let square = """
    {"type":"Polygon","coordinates":[[[120.35,30.44],[120.36,30.44],[120.36,30.45],[120.35,30.45],[120.35,30.44]]]}
    """

    func testDemoCountyShape() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            func count(_ level: String) async throws -> Int {
                let r = try await t.api(.GET, "/api/v1/org-units?level=\(level)&limit=500", token: token)
                XCTAssertEqual(r.status, .ok)
                return (try r.body.json()["items"] as? [Any])?.count ?? -1
            }
            let townships = try await count("township"), villages = try await count("village"), grids = try await count("grid")
            XCTAssertEqual(townships, 3)
            XCTAssertEqual(villages, 8)
            XCTAssertEqual(grids, 24)
            let departments = try await t.api(.GET, "/api/v1/departments", token: token)
            XCTAssertGreaterThanOrEqual(try departments.body.jsonArray().count, 10)
            let grid = try await t.api(.GET, "/api/v1/org-units/330110001001-01", token: token)
            let body = try grid.body.json()
            XCTAssertEqual(body["parentCode"] as? String, "330110001001")
            XCTAssertEqual((body["geometry"] as? [String: Any])?["type"] as? String, "MultiPolygon")
            XCTAssertEqual(body["path"] as? String, "/330100/330110/330110001/330110001001/330110001001-01/")
        }
    }

    func testTownshipDispatcherSeesOnlyTheirTownshipAndOthersAre404() async throws {
        try await withApp { t in
            let token = try await t.token("dispatcher-dh")
            let own = try await t.api(.GET, "/api/v1/org-units/330110001001", token: token)
            XCTAssertEqual(own.status, .ok)
            let other = try await t.api(.GET, "/api/v1/org-units/330110002001", token: token)
            XCTAssertEqual(other.status, .notFound, "another township's unit must look like it does not exist")
            let missing = try await t.api(.GET, "/api/v1/org-units/999999999999", token: token)
            XCTAssertEqual(other.body, missing.body)
            let county = try await t.api(.GET, "/api/v1/org-units/330110", token: token)
            XCTAssertEqual(county.status, .notFound, "a township cannot read its parent county")
            let children = try await t.api(.GET, "/api/v1/org-units/330110002/children", token: token)
            XCTAssertEqual(children.status, .notFound)

            let grids = try await t.api(.GET, "/api/v1/org-units?level=grid&limit=500", token: token)
            let codes = (try grids.body.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertEqual(codes.count, 9)
            XCTAssertTrue(codes.allSatisfy { $0.hasPrefix("330110001") })
        }
    }

    func testGridWorkerSeesOnlyTheirGrid() async throws {
        try await withApp { t in
            let token = try await t.token("grid1")
            let mine = try await t.api(.GET, "/api/v1/org-units?limit=500", token: token)
            let codes = (try mine.body.json()["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertEqual(codes, ["330110001001-01"])
            let neighbour = try await t.api(.GET, "/api/v1/org-units/330110001001-02", token: token)
            XCTAssertEqual(neighbour.status, .notFound)
        }
    }

    func testKeysetPaginationWalksEveryUnitOnce() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            var seen: [String] = []
            var after: String?
            repeat {
                let path = "/api/v1/org-units?limit=7" + (after.map { "&after=\($0)" } ?? "")
                let body = try await t.api(.GET, path, token: token).body.json()
                seen += (body["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                after = body["next"] as? String
            } while after != nil
            XCTAssertEqual(seen.count, 1 + 3 + 8 + 24, "the county's subtree: county, townships, villages, grids")
            XCTAssertEqual(Set(seen).count, seen.count)
        }
    }

    /// A list item is the unit as its own page gives it, without the boundary: name, level, path, parent and bounding box
    /// read as the list's columns agree with the whole unit's.
    func testAListsUnitsAreTheUnitsAsTheirOwnPagesGiveThemWithoutBoundaries() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let items = try await t.api(.GET, "/api/v1/org-units?limit=500", token: token).body.json()["items"] as? [[String: Any]] ?? []
            XCTAssertEqual(items.count, 1 + 3 + 8 + 24)
            for item in items {
                let code = try XCTUnwrap(item["code"] as? String)
                var whole = try await t.api(.GET, "/api/v1/org-units/\(code)", token: token).body.json()
                XCTAssertNil(item["geometry"], "\(code): a list carries no boundary")
                if (whole["level"] as? String) == "grid" {
                    XCTAssertNotNil(whole.removeValue(forKey: "geometry"), "\(code): its own page does")
                    XCTAssertEqual((item["boundingBox"] as? [Double])?.count, 4, "\(code): a grid's bounding box")
                }
                XCTAssertEqual(NSDictionary(dictionary: item), NSDictionary(dictionary: whole), code)
            }
        }
    }

    func testAdminCreatesAVillageAndAGrid() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let village = try await t.api(.POST, "/api/v1/org-units", token: token, json: [
                "code": "330110003003", "name": "新村", "level": "village", "parentCode": "330110003",
            ])
            XCTAssertEqual(village.status, .created, village.body)
            let grid = try await t.api(.POST, "/api/v1/org-units", token: token, json: [
                "code": "330110003003-01", "name": "新村第一网格", "level": "grid", "parentCode": "330110003003", "geometry": Self.square,
            ])
            XCTAssertEqual(grid.status, .created, grid.body)
            let located = try await t.api(.GET, "/api/v1/grids/locate?lat=30.445&lon=120.355", token: token)
            XCTAssertEqual(try located.body.json()["gridCode"] as? String, "330110003003-01")

            let renamed = try await t.api(.PATCH, "/api/v1/org-units/330110003003", token: token, json: ["name": "新村社区"])
            XCTAssertEqual(try renamed.body.json()["name"] as? String, "新村社区")
        }
    }

    func testBadInputIsRejectedAndNothingIsWritten() async throws {
        try await withApp { t in
            let token = try await t.token("admin")
            let before = try await OrgUnitModel.query(on: t.app.db).count()
            let cases: [([String: String], String, HTTPStatus)] = [
                (["code": "330110003003", "name": "错层", "level": "village", "parentCode": "330110"], "org.parent_level", .badRequest),
                (["code": "330110001001", "name": "重复", "level": "village", "parentCode": "330110001"], "duplicate", .conflict),
                (["code": "33011000300", "name": "短码", "level": "village", "parentCode": "330110003"], "org.code", .badRequest),
                (["code": "330110002009", "name": "错前缀", "level": "village", "parentCode": "330110003"], "org.code", .badRequest),
                (["code": "330110003001-09", "name": "无边界", "level": "grid", "parentCode": "330110003001"], "org.geometry_required", .badRequest),
                (["code": "330110003001-09", "name": "坏边界", "level": "grid", "parentCode": "330110003001", "geometry": "{\"type\":\"Polygon\""], "org.geometry", .badRequest),
                (["code": "330110003001-09", "name": "自相交", "level": "grid", "parentCode": "330110003001",
                  "geometry": "{\"type\":\"Polygon\",\"coordinates\":[[[120,30],[120.01,30.01],[120.01,30],[120,30.01],[120,30]]]}"], "org.geometry", .badRequest),
                (["code": "330110003003", "name": "", "level": "village", "parentCode": "330110003"], "org.name", .badRequest),
                (["code": "330110003003", "name": "层级", "level": "hamlet", "parentCode": "330110003"], "org.level", .badRequest),
                (["code": "330110003003", "name": "外县", "level": "village", "parentCode": "440110003"], "not_found", .notFound),
            ]
            for (body, code, status) in cases {
                let r = try await t.api(.POST, "/api/v1/org-units", token: token, json: body)
                XCTAssertEqual(r.status, status, "\(body): \(r.body)")
                let error = try r.body.json()["error"] as? [String: Any]
                XCTAssertEqual(error?["code"] as? String, code, r.body)
                XCTAssertFalse((error?["message"] as? String ?? "").isEmpty)
            }
            let after = try await OrgUnitModel.query(on: t.app.db).count()
            XCTAssertEqual(before, after)
        }
    }

    func testOnlyAdminsWriteAndOnlyInsideTheirCounty() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            let denied = try await t.api(.POST, "/api/v1/org-units", token: dispatcher, json: [
                "code": "330110003003", "name": "新村", "level": "village", "parentCode": "330110003",
            ])
            XCTAssertEqual(denied.status, .forbidden)
            // The city admin may add a county; the county admin cannot see the city at all.
            let countyAdmin = try await t.token("admin")
            let county = try await t.api(.POST, "/api/v1/org-units", token: countyAdmin, json: [
                "code": "330111", "name": "邻区", "level": "county", "parentCode": "330100",
            ])
            XCTAssertEqual(county.status, .notFound)
            let cityAdmin = try await t.token("cityadmin")
            let created = try await t.api(.POST, "/api/v1/org-units", token: cityAdmin, json: [
                "code": "330111", "name": "邻区", "level": "county", "parentCode": "330100",
            ])
            XCTAssertEqual(created.status, .created, created.body)
            // ...and the county admin does not see the new neighbour.
            do { let s = try await t.status(.GET, "/api/v1/org-units/330111", token: countyAdmin); XCTAssertEqual(s, .notFound) }
        }
    }

    func testLocateAnswersForEveryDemoGridCentre() async throws {
        try await withApp { t in
            for unit in DemoCounty.units where unit.level == .grid {
                let polygon = try XCTUnwrap(unit.polygon)
                // The centroid of a lattice cell's corner points lies inside the (convex-ish) cell.
                let ring = polygon.polygons[0].outer.dropLast()
                let lon = ring.map(\.lon).reduce(0, +) / Double(ring.count)
                let lat = ring.map(\.lat).reduce(0, +) / Double(ring.count)
                let r = try await t.api(.GET, "/api/v1/grids/locate?lat=\(lat)&lon=\(lon)")
                XCTAssertEqual(try r.body.json()["gridCode"] as? String, unit.code)
            }
            let outside = try await t.api(.GET, "/api/v1/grids/locate?lat=31.5&lon=121.5")
            XCTAssertEqual(outside.status, .ok)
            XCTAssertNil(try outside.body.json()["gridCode"] as? String)
            do { let s = try await t.status(.GET, "/api/v1/grids/locate?lat=95&lon=120"); XCTAssertEqual(s, .badRequest) }
        }
    }
}
