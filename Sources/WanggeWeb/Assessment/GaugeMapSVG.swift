import Fluent
import Vapor
import WanggePersistence
import Foundation
import WanggeDomain

/// Grids shaded by how many cases are open in them, red-outlined where some are overdue.
enum GaugeMapSVG {
    static func render(_ map: GridShapeCache.ProjectedMap, gauges: [String: (open: Int, overdue: Int)], title: String) -> String {
        guard !map.grids.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(map.width)) 60\" role=\"img\"><title>\(Markup.escape(title))</title><text x=\"12\" y=\"34\">—</text></svg>"
        }
        let most = max(1, gauges.values.map(\.open).max() ?? 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gauge-map\" viewBox=\"0 0 \(Int(map.width)) \(Int(map.height))\" role=\"img\" aria-label=\"\(Markup.escape(title))\"><title>\(Markup.escape(title))</title>"
        out.reserveCapacity(map.grids.reduce(0) { $0 + $1.path.utf8.count + 160 })
        // Appended piece by piece: joined with `+` first, each grid's path (most of the map's text) was copied twice more,
        // and the map was a seventh of the big screen's time.
        for grid in map.grids {
            let g = gauges[grid.code] ?? (0, 0)
            // Square-root scale, so a few busy grids do not wash out the rest.
            let level = g.open == 0 ? 0 : Int((15 + 85 * (Double(g.open) / Double(most)).squareRoot()).rounded())
            out += g.overdue > 0 ? "<path class=\"grid overdue\" d=\"" : "<path class=\"grid\" d=\""
            out += grid.path
            out += "\" fill=\"#ffb74d\" fill-opacity=\""
            out += String(level)
            out += g.overdue > 0 ? "%\" stroke=\"#e53935\" stroke-width=\"2\"><title>" : "%\"><title>"
            out += grid.escapedName
            out += ":在办 "
            out += String(g.open)
            out += ",超期 "
            out += String(g.overdue)
            out += "</title></path>"
        }
        return out + "</svg>"
    }
}
