import Foundation
import WanggeDomain

/// A map of grids with case markers coloured by warning. Past `aggregateAbove` markers they are
/// drawn as one counted circle per grid in the worst colour, so the page stays light with
/// thousands of cases.
enum CaseMapSVG {
    struct Marker {
        var point: GeoPoint
        var warning: WarningLevel
        var gridCode: String?
        var href: String?
        var label: String
    }

    static let aggregateAbove = 300

    static func colour(_ level: WarningLevel) -> String {
        switch level {
        case .none: "#2e7d32"
        case .blue: "#1565c0"
        case .yellow: "#f2a900"
        case .red: "#c62828"
        }
    }

    /// `pickable` adds the projection to the SVG so the page's script can turn a click into lat/lon.
    static func render(grids: [GridMapSVG.Grid], markers: [Marker], title: String, pickable: Bool = false,
                       width: Double = 800, height: Double = 500) -> String {
        var bounds = grids.reduce(BoundingBox.empty) { $0.union($1.shape.bbox) }
        for marker in markers where grids.isEmpty { bounds.extend(marker.point) }
        if bounds.isEmpty { bounds = BoundingBox(minLon: 120.25, minLat: 30.4, maxLon: 120.35, maxLat: 30.44) }
        let projection = SVGProjection(bounds: bounds, width: width, height: height, padding: 12)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(GridMapSVG.escape(title))\""
        if pickable {
            out += " class=\"pick-map\" data-min-lon=\"\(bounds.minLon)\" data-min-lat=\"\(bounds.minLat)\" data-max-lon=\"\(bounds.maxLon)\" data-max-lat=\"\(bounds.maxLat)\" data-width=\"\(Int(width))\" data-height=\"\(Int(height))\" data-padding=\"12\""
        }
        out += "><title>\(GridMapSVG.escape(title))</title>"
        for grid in grids {
            let path = "<path class=\"grid\" fill-rule=\"evenodd\" d=\"\(projection.pathData(grid.shape))\"><title>\(GridMapSVG.escape(grid.name))</title></path>"
            out += grid.href.map { "<a href=\"\(GridMapSVG.escape($0))\">\(path)</a>" } ?? path
        }
        let inside = markers.filter { bounds.expanded(by: 0.01).contains($0.point) }
        if inside.count > aggregateAbove {
            var byGrid: [String: (count: Int, worst: WarningLevel)] = [:]
            for marker in inside {
                let key = marker.gridCode ?? "-"
                let entry = byGrid[key] ?? (0, .none)
                byGrid[key] = (entry.count + 1, max(entry.worst, marker.warning))
            }
            for grid in grids {
                guard let entry = byGrid[grid.code] else { continue }
                let c = projection.project(grid.shape.bbox.center)
                let r = min(28, 8 + log2(Double(entry.count)) * 3)
                out += "<g class=\"cluster\"><circle cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"\(f(r))\" fill=\"\(colour(entry.worst))\" fill-opacity=\"0.85\"/>"
                out += "<text x=\"\(f(c.x))\" y=\"\(f(c.y + 4))\" text-anchor=\"middle\" class=\"count\">\(entry.count)</text></g>"
            }
        } else {
            for marker in inside {
                let c = projection.project(marker.point)
                let dot = "<circle class=\"marker \(marker.warning.rawValue)\" cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"6\" fill=\"\(colour(marker.warning))\"><title>\(GridMapSVG.escape(marker.label))</title></circle>"
                out += marker.href.map { "<a href=\"\(GridMapSVG.escape($0))\">\(dot)</a>" } ?? dot
            }
        }
        if pickable { out += "<circle class=\"pick\" cx=\"-10\" cy=\"-10\" r=\"7\"/>" }
        return out + "</svg>"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
