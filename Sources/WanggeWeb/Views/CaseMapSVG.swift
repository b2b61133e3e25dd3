import Foundation
import WanggeDomain

/// A map of grids with case markers coloured by warning. Past `aggregateAbove` markers they are
/// drawn as one counted circle per grid in the worst colour, so the page stays light with
/// thousands of cases.
enum CaseMapSVG {
    /// A case on the map: labelled with its code, and linking to its page when `linked`. The link is written only for
    /// a marker drawn as itself, not for the thousands a large area's map counts by grid.
    struct Marker {
        var point: GeoPoint
        var warning: WarningLevel
        var gridCode: String?
        var code: String
        var linked: Bool

        var href: String? { linked ? "/cases/\(code)" : nil }
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

    static let width = 800.0, height = 500.0

    /// `pickable` adds the projection to the SVG so the page's script can turn a click into lat/lon.
    /// The grids come projected (`GridShapeCache`); with none, the markers set the frame. `outlines`, when given, is
    /// written in place of the grids' outlines (a page's mark for them, `Request.carry`).
    static func render(_ map: GridShapeCache.ProjectedMap, markers: [Marker], title: String, pickable: Bool = false,
                       outlines: String? = nil) -> String {
        let projection = map.projection ?? SVGProjection(bounds: frame(of: markers), width: map.width, height: map.height, padding: 12)
        let bounds = projection.bounds
        let (width, height) = (map.width, map.height)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Markup.escape(title))\""
        if pickable {
            out += " class=\"pick-map\" data-min-lon=\"\(bounds.minLon)\" data-min-lat=\"\(bounds.minLat)\" data-max-lon=\"\(bounds.maxLon)\" data-max-lat=\"\(bounds.maxLat)\" data-width=\"\(Int(width))\" data-height=\"\(Int(height))\" data-padding=\"12\""
        }
        out += "><title>\(Markup.escape(title))</title>"
        let outlines = outlines ?? map.caseMapOutlines?.text ?? Self.outlines(of: map.grids)
        out.reserveCapacity(out.utf8.count + outlines.utf8.count + 4096)
        out += outlines
        // Counted in place: copied into an array of their own, the markers of a county's map were 5% of the overview's time.
        let frame = bounds.expanded(by: 0.01)
        let insideCount = markers.reduce(0) { frame.contains($1.point) ? $0 + 1 : $0 }
        if insideCount > aggregateAbove {
            // Counted by the grid's place in the map: a dictionary of counts by code looked each code up twice.
            var counts = [Int](repeating: 0, count: map.grids.count)
            var worst = [WarningLevel](repeating: .none, count: map.grids.count)
            for marker in markers where frame.contains(marker.point) {
                guard let code = marker.gridCode, let index = map.gridIndex[code] else { continue }
                counts[index] += 1
                worst[index] = max(worst[index], marker.warning)
            }
            // Each grid's circle and label written once in the map (`clusterHead`, `clusterMiddle`), a count's radius
            // once for all maps: a county's thousand clusters wrote four numbers each, and the map was a quarter of the
            // overview's time.
            for (index, grid) in map.grids.enumerated() where counts[index] > 0 {
                out += grid.clusterHead
                out += radius(count: counts[index])
                out += "\" fill=\""
                out += colour(worst[index])
                out += grid.clusterMiddle
                out += String(counts[index])
                out += "</text></g>"
            }
        } else {
            for marker in markers where frame.contains(marker.point) {
                let c = projection.project(marker.point)
                let dot = "<circle class=\"marker \(marker.warning.rawValue)\" cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"6\" fill=\"\(colour(marker.warning))\"><title>\(Markup.escape(marker.code))</title></circle>"
                out += marker.href.map { "<a href=\"\(Markup.escape($0))\">\(dot)</a>" } ?? dot
            }
        }
        if pickable { out += "<circle class=\"pick\" cx=\"-10\" cy=\"-10\" r=\"7\"/>" }
        return out + "</svg>"
    }

    static func f(_ v: Double) -> String { FixedDecimal.string(v, digits: 1) }

    /// A grid's counted circle grows with the log of its count up to 28, which it reaches at 102.
    static func radius(count: Int) -> String {
        count < radii.count ? radii[count] : f(radiusValue(count: count))
    }

    private static func radiusValue(count: Int) -> Double { min(28, 8 + log2(Double(count)) * 3) }
    private static let radii = [""] + (1..<128).map { f(radiusValue(count: $0)) }

    /// The grids' outlines, each with its name as a tooltip, appended piece by piece into one text.
    static func outlines(of grids: [GridShapeCache.ProjectedMap.Grid]) -> String {
        var out = ""
        out.reserveCapacity(grids.reduce(0) { $0 + $1.path.utf8.count + $1.escapedName.utf8.count + 72 })
        for grid in grids {
            out += "<path class=\"grid\" fill-rule=\"evenodd\" d=\""
            out += grid.path
            out += "\"><title>"
            out += grid.escapedName
            out += "</title></path>"
        }
        return out
    }

    /// Where markers lie when no grid frames them: around them, or a default patch with none.
    private static func frame(of markers: [Marker]) -> BoundingBox {
        var bounds = BoundingBox.empty
        for marker in markers { bounds.extend(marker.point) }
        return bounds.isEmpty ? BoundingBox(minLon: 120.25, minLat: 30.4, maxLon: 120.35, maxLat: 30.44) : bounds
    }
}
