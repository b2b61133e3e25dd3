import Foundation
import WanggeDomain
import XCTest
@testable import WanggeWeb

/// The grid map of the admin's unit pages and `/maps/grids.svg`, drawn from the outlines projected once,
/// is the same drawing as one projected anew.
final class GridMapDrawingTests: XCTestCase {
    func testAMapFromTheProjectedOutlinesIsTheSameAsOneProjectedAnew() async throws {
        try await withApp { t in
            let drawn = try await t.app.gridLocatorCache.drawn(on: t.app.db).grids
            let admin: (String) -> String? = { "/admin/units/\($0)" }
            let none: (String) -> String? = { _ in nil }
            for (scope, selected) in [(OrgScope(level: .county, code: "330110"), "330110"),
                                      (OrgScope(level: .village, code: "330110001001"), "330110001001-02")] {
                for href in [admin, none] {
                    let inside = drawn.filter { scope.contains($0.ancestry) }
                    let anew = GridMapSVG.render(grids: inside.map {
                        GridMapSVG.Grid(code: $0.code, name: $0.name, shape: $0.shape, href: href($0.code), selected: $0.code == selected)
                    }, highlight: nil, title: "东湖街道 <地图>")
                    let map = try await t.app.gridShapeCache.map(of: [scope], width: GridMapSVG.width, height: GridMapSVG.height, on: t.app.db)
                    let kept = GridMapSVG.render(map, selected: selected, href: href, title: "东湖街道 <地图>")
                    XCTAssertEqual(kept, anew, "\(scope.code)")
                    XCTAssertGreaterThan(inside.count, 1)
                }
            }
            let village = try await t.app.gridShapeCache.map(of: [OrgScope(level: .village, code: "330110001001")],
                                                             width: GridMapSVG.width, height: GridMapSVG.height, on: t.app.db)
            let drawing = GridMapSVG.render(village, selected: "330110001001-02", href: admin, title: "村")
            XCTAssertTrue(drawing.contains("<text "), "a small area's grids are named on the map")
            XCTAssertTrue(drawing.contains("class=\"grid selected\""), drawing)
            let empty = try await t.app.gridShapeCache.map(of: [OrgScope(level: .village, code: "330110009009")],
                                                           width: GridMapSVG.width, height: GridMapSVG.height, on: t.app.db)
            XCTAssertEqual(GridMapSVG.render(empty, selected: "", href: none, title: "空"),
                           GridMapSVG.render(grids: [], highlight: nil, title: "空"))
        }
    }
}
