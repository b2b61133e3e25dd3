import Foundation
import WanggeDomain
import XCTest
@testable import WanggeWeb

/// The grid map of the admin's unit pages and `/maps/grids.svg`: one drawing, from outlines projected once
/// (`GridShapeCache`) or, with a boundary being previewed, projected for it.
final class GridMapDrawingTests: XCTestCase {
    func testAnAreaMapNamesASmallAreasGridsAndFitsInABoundaryBeingPreviewed() async throws {
        try await withApp { t in
            let admin: (String) -> String? = { "/admin/units/\($0)" }
            let scope = OrgScope(level: .village, code: "330110001001")
            let inside = try await t.app.gridLocatorCache.drawn(on: t.app.db).grids.filter { scope.contains($0.ancestry) }
            XCTAssertGreaterThan(inside.count, 1)
            let village = try await t.app.gridShapeCache.map(of: [scope], width: GridMapSVG.width, height: GridMapSVG.height, on: t.app.db)
            let drawing = GridMapSVG.render(village, selected: "330110001001-02", href: admin, title: "村 <地图>")
            XCTAssertEqual(drawing.components(separatedBy: "<path class=\"grid").count - 1, inside.count, "one outline a grid")
            XCTAssertEqual(drawing.components(separatedBy: "class=\"grid selected\"").count - 1, 1, drawing)
            XCTAssertTrue(drawing.contains("<a href=\"/admin/units/330110001001-02\">"), "each grid links to its page")
            XCTAssertTrue(drawing.contains("<text "), "a small area's grids are named on the map")
            XCTAssertTrue(drawing.contains("aria-label=\"村 &lt;地图&gt;\""), "the title is escaped")
            XCTAssertFalse(drawing.contains("class=\"highlight\""))

            // A boundary uploaded far east of the village is drawn over its grids, inside the frame.
            let far = try GeoJSON.parseGeometry(#"{"type":"Polygon","coordinates":[[[121.0,30.2],[121.01,30.2],[121.01,30.21],[121.0,30.21],[121.0,30.2]]]}"#)
            let fitted = GridShapeCache.ProjectedMap(inside, width: GridMapSVG.width, height: GridMapSVG.height, fitting: far.bbox)
            let preview = GridMapSVG.render(fitted, selected: "", href: admin, title: "村", highlight: far)
            let highlight = try XCTUnwrap(preview.range(of: "<path class=\"highlight\""), preview)
            XCTAssertLessThan(try XCTUnwrap(preview.range(of: "<path class=\"grid", options: .backwards)).lowerBound, highlight.lowerBound,
                              "the boundary is drawn over the grids")
            for drawn in [preview, drawing] {
                for (x, y) in Self.points(drawn) {
                    XCTAssertTrue((0...GridMapSVG.width).contains(x) && (0...GridMapSVG.height).contains(y), "(\(x), \(y)) outside the frame")
                }
            }
            // Unfitted, the same boundary would fall outside the frame.
            let unfitted = GridMapSVG.render(village, selected: "", href: admin, title: "村", highlight: far)
            XCTAssertTrue(Self.points(unfitted).contains { !(0...GridMapSVG.width).contains($0.0) }, "the fitting is what brings it in")

            // An area with no grid: a dash, not an empty frame.
            let empty = try await t.app.gridShapeCache.map(of: [OrgScope(level: .village, code: "330110009009")],
                                                           width: GridMapSVG.width, height: GridMapSVG.height, on: t.app.db)
            XCTAssertTrue(GridMapSVG.render(empty, selected: "", href: admin, title: "空").contains(">—</text>"))
        }
    }

    /// Every point of every path's `d` (M/L x y pairs).
    static func points(_ svg: String) -> [(Double, Double)] {
        var points: [(Double, Double)] = []
        for part in svg.components(separatedBy: " d=\"").dropFirst() {
            let d = part.prefix { $0 != "\"" }
            for step in d.split(whereSeparator: { "MLZ".contains($0) }) {
                let xy = step.split(separator: " ").compactMap { Double($0) }
                if xy.count == 2 { points.append((xy[0], xy[1])) }
            }
        }
        return points
    }
}
