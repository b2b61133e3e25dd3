/// Believable grid outlines for demos, tests and benchmarks: a jittered lattice that tiles its
/// rectangle exactly. Neighbouring cells are built from the very same vertex values (computed once,
/// shared), so there are no slivers or overlaps to confuse the locator or the map.
public enum DemoGeometry {
    /// Cells indexed `[column][row]`; column 0 is the west edge, row 0 the south edge.
    /// Each cell is a counter-clockwise 8-vertex ring: 4 corners plus one midpoint per side.
    ///
    /// - `jitter`: fraction of a cell by which interior corners move (each axis) and edge midpoints
    ///   bulge; clamped to 0…0.24 because at 0.25 two corners of a cell could meet. Corners on the
    ///   lattice's outline only slide along it and outline midpoints stay put, so the union is
    ///   exactly the rectangle origin … origin + (columns·cellLon, rows·cellLat).
    /// - Cell sizes must be positive (the lattice grows north-east from `origin`); otherwise `[]`.
    /// - Same arguments, same shapes, on every platform (SplitMix64).
    public static func lattice(columns: Int, rows: Int, origin: GeoPoint, cellLon: Double, cellLat: Double,
                               jitter: Double, seed: UInt64) -> [[GeoPolygon]] {
        guard columns > 0, rows > 0, cellLon > 0, cellLat > 0 else { return [] }
        let j = min(max(jitter, 0), 0.24)
        var rng = SplitMix64(seed: seed)

        // Corner (i, k), i in 0...columns, k in 0...rows.
        var corners = [[GeoPoint]](repeating: [], count: columns + 1)
        for i in 0...columns {
            corners[i].reserveCapacity(rows + 1)
            for k in 0...rows {
                // Draw both numbers for every vertex so the sequence does not depend on position.
                let dx = rng.nextDouble(in: -j, j), dy = rng.nextDouble(in: -j, j)
                let onWestEast = i == 0 || i == columns, onSouthNorth = k == 0 || k == rows
                let fx = Double(i) + (onWestEast ? 0 : dx), fy = Double(k) + (onSouthNorth ? 0 : dy)
                corners[i].append(GeoPoint(lon: origin.lon + fx * cellLon, lat: origin.lat + fy * cellLat))
            }
        }

        // Work in cell units for the geometry checks so lon/lat scale cannot skew them.
        func unit(_ p: GeoPoint) -> (x: Double, y: Double) { ((p.lon - origin.lon) / cellLon, (p.lat - origin.lat) / cellLat) }
        func center(_ i: Int, _ k: Int) -> (x: Double, y: Double) {
            let a = unit(corners[i][k]), b = unit(corners[i + 1][k]), c = unit(corners[i + 1][k + 1]), d = unit(corners[i][k + 1])
            return ((a.x + b.x + c.x + d.x) / 4, (a.y + b.y + c.y + d.y) / 4)
        }
        /// Why the cells stay simple: the corner quad is convex (j < 0.25), so each cell is star-shaped
        /// around its corner average C as long as every midpoint lies strictly inside the angle C sees
        /// its edge under. A midpoint failing that for either neighbouring cell is pulled back towards
        /// the straight edge until it passes (the straight midpoint always does).
        func midpoint(_ a: GeoPoint, _ b: GeoPoint, cells: [(x: Double, y: Double)]) -> GeoPoint {
            let along = rng.nextDouble(in: -0.5, 0.5) * j
            var bulge = rng.nextDouble(in: -1, 1) * j
            guard !cells.isEmpty else { return GeoPoint(lon: (a.lon + b.lon) / 2, lat: (a.lat + b.lat) / 2) }
            let ua = unit(a), ub = unit(b)
            let ex = ub.x - ua.x, ey = ub.y - ua.y
            for _ in 0..<8 {
                let t = 0.5 + along
                let mx = ua.x + t * ex - ey * bulge, my = ua.y + t * ey + ex * bulge
                let ok = cells.allSatisfy { c in
                    let s1 = (ua.x - c.x) * (my - c.y) - (ua.y - c.y) * (mx - c.x)
                    let s2 = (mx - c.x) * (ub.y - c.y) - (my - c.y) * (ub.x - c.x)
                    let s0 = (ua.x - c.x) * (ub.y - c.y) - (ua.y - c.y) * (ub.x - c.x)
                    // Same turning sense as the edge itself, with a margin against near-degenerate slivers.
                    return s1 * s0 > 0.01 * s0 * s0 && s2 * s0 > 0.01 * s0 * s0
                }
                if ok { return GeoPoint(lon: origin.lon + mx * cellLon, lat: origin.lat + my * cellLat) }
                bulge /= 2
            }
            return GeoPoint(lon: (a.lon + b.lon) / 2, lat: (a.lat + b.lat) / 2)
        }

        // Midpoint of the horizontal edge corner(i,k)–corner(i+1,k), shared by cells (i,k-1) and (i,k).
        var south = [[GeoPoint]](repeating: [], count: columns)
        for i in 0..<columns {
            for k in 0...rows {
                let inner = k > 0 && k < rows
                south[i].append(midpoint(corners[i][k], corners[i + 1][k],
                                         cells: inner ? [center(i, k - 1), center(i, k)] : []))
            }
        }
        // Midpoint of the vertical edge corner(i,k)–corner(i,k+1), shared by cells (i-1,k) and (i,k).
        var west = [[GeoPoint]](repeating: [], count: columns + 1)
        for i in 0...columns {
            for k in 0..<rows {
                let inner = i > 0 && i < columns
                west[i].append(midpoint(corners[i][k], corners[i][k + 1],
                                        cells: inner ? [center(i - 1, k), center(i, k)] : []))
            }
        }

        var cells: [[GeoPolygon]] = []
        cells.reserveCapacity(columns)
        for i in 0..<columns {
            var column: [GeoPolygon] = []
            column.reserveCapacity(rows)
            for k in 0..<rows {
                let ring: [GeoPoint] = [
                    corners[i][k], south[i][k], corners[i + 1][k], west[i + 1][k],
                    corners[i + 1][k + 1], south[i][k + 1], corners[i][k + 1], west[i][k],
                    corners[i][k],
                ]
                column.append(GeoPolygon(outer: ring))
            }
            cells.append(column)
        }
        return cells
    }
}
