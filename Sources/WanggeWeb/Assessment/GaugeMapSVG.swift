import Fluent
import Vapor
import WanggePersistence
import Foundation
import WanggeDomain

/// Grids shaded by how many cases are open in them, red-outlined where some are overdue.
enum GaugeMapSVG {
    static func render(_ map: GridShapeCache.ProjectedMap, gauges: [String: (open: Int, overdue: Int)], title: String) -> String {
        guard !map.grids.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(map.width)) 60\" role=\"img\"><title>\(GridMapSVG.escape(title))</title><text x=\"12\" y=\"34\">—</text></svg>"
        }
        let most = max(1, gauges.values.map(\.open).max() ?? 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gauge-map\" viewBox=\"0 0 \(Int(map.width)) \(Int(map.height))\" role=\"img\" aria-label=\"\(GridMapSVG.escape(title))\"><title>\(GridMapSVG.escape(title))</title>"
        out.reserveCapacity(map.grids.reduce(0) { $0 + $1.path.utf8.count + 160 })
        for grid in map.grids {
            let g = gauges[grid.code] ?? (0, 0)
            // Square-root scale, so a few busy grids do not wash out the rest.
            let level = g.open == 0 ? 0 : Int((15 + 85 * (Double(g.open) / Double(most)).squareRoot()).rounded())
            let stroke = g.overdue > 0 ? " stroke=\"#e53935\" stroke-width=\"2\"" : ""
            out += "<path class=\"grid\(g.overdue > 0 ? " overdue" : "")\" d=\"" + grid.path + "\" fill=\"#ffb74d\" fill-opacity=\"\(level)%\"\(stroke)>"
            out += "<title>" + grid.escapedName + ":在办 \(g.open),超期 \(g.overdue)</title></path>"
        }
        return out + "</svg>"
    }
}
