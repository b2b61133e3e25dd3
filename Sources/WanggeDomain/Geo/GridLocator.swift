/// Point → grid code, for "which grid is this incident in?" on every report.
///
/// Index: a uniform bucket raster over the union bbox, about four buckets per grid (2√n × 2√n,
/// stretched to the bbox's aspect ratio). Each bucket lists, in tie-break order, the grids whose
/// bbox touches it; a lookup computes one bucket, checks each candidate's bbox, then walks that
/// grid's edges once.
///
/// Tie-break rule (deterministic, documented for users): a point belongs to every grid that *covers*
/// it — interior or within `boundaryEpsilon` of an edge. If several do (shared edges and vertices,
/// or overlapping uploads), the grid with the smallest id wins, comparing ids by their UTF-8 bytes
/// (plain lexicographic order for the usual ASCII codes). A point in a hole belongs to no grid
/// unless another grid covers the hole.
public struct GridLocator: Sendable {
    /// Ids in tie-break order; candidate lists store indices into these arrays, so the first
    /// covering candidate in a bucket is the answer and no strings are compared per lookup.
    private let ids: [String]
    private let shapes: [GeoMultiPolygon]
    private let boxes: [BoundingBox]
    /// Compressed bucket lists: bucket b's candidates are items[starts[b] ..< starts[b + 1]].
    private let starts: [Int32]
    private let items: [Int32]

    public let bounds: BoundingBox
    public let columns: Int
    public let rows: Int
    /// Degrees (planar); 1e-9° ≈ 0.1 mm, far below survey accuracy, far above rounding noise.
    public let boundaryEpsilon: Double
    private let invCellLon: Double
    private let invCellLat: Double

    public var count: Int { ids.count }
    /// Average candidates per bucket, a quick measure of index quality.
    public var meanCandidatesPerBucket: Double { starts.isEmpty ? 0 : Double(items.count) / Double(columns * rows) }

    /// Grids with empty shapes are ignored. Duplicate ids are kept; either copy answers with that id.
    public init(grids: [(id: String, shape: GeoMultiPolygon)], boundaryEpsilon: Double = 1e-9) {
        let eps = max(boundaryEpsilon, 0)
        let kept = grids.filter { !$0.shape.bbox.isEmpty }
            .sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        ids = kept.map(\.id)
        shapes = kept.map(\.shape)
        // Grown by epsilon so a point just outside an outline still reaches the boundary test.
        boxes = kept.map { $0.shape.bbox.expanded(by: eps) }
        self.boundaryEpsilon = eps
        let union = boxes.reduce(BoundingBox.empty) { $0.union($1) }
        bounds = union

        guard !kept.isEmpty else {
            columns = 0; rows = 0; starts = []; items = []; invCellLon = 0; invCellLat = 0
            return
        }
        // ~4n buckets (2√n per axis) with roughly square cells in degree space: measured ~25 % faster
        // lookups than n buckets on a 10k lattice (≈2.8 instead of ≈4.7 candidates per bucket),
        // for well under a megabyte of index.
        let w = max(union.width, 1e-12), h = max(union.height, 1e-12)
        let n = 4 * Double(kept.count)
        let cols = max(1, min(4096, Int((n * w / h).squareRoot().rounded())))
        let rws = max(1, min(4096, Int((n * h / w).squareRoot().rounded())))
        columns = cols
        rows = rws
        let icl = Double(cols) / w, ict = Double(rws) / h
        invCellLon = icl
        invCellLat = ict

        func span(_ box: BoundingBox) -> (c0: Int, c1: Int, r0: Int, r1: Int) {
            (Self.clampIndex((box.minLon - union.minLon) * icl, cols), Self.clampIndex((box.maxLon - union.minLon) * icl, cols),
             Self.clampIndex((box.minLat - union.minLat) * ict, rws), Self.clampIndex((box.maxLat - union.minLat) * ict, rws))
        }
        // Two passes (count, then fill) give the flat arrays without per-bucket allocations; grids
        // are visited in tie-break order, so every bucket list comes out sorted.
        var counts = [Int32](repeating: 0, count: cols * rws + 1)
        for box in boxes {
            let s = span(box)
            for r in s.r0...s.r1 { for c in s.c0...s.c1 { counts[r * cols + c + 1] += 1 } }
        }
        for b in 0..<(cols * rws) { counts[b + 1] += counts[b] }
        var fill = counts
        var list = [Int32](repeating: 0, count: Int(counts[cols * rws]))
        for (g, box) in boxes.enumerated() {
            let s = span(box)
            for r in s.r0...s.r1 {
                for c in s.c0...s.c1 {
                    let b = r * cols + c
                    list[Int(fill[b])] = Int32(g)
                    fill[b] += 1
                }
            }
        }
        starts = counts
        items = list
    }

    /// The covering grid with the smallest id, or nil.
    public func locate(_ p: GeoPoint) -> String? {
        var answer: String?
        visitCovering(p) { g in
            answer = ids[g]
            return false
        }
        return answer
    }

    /// Every grid covering `p`, in tie-break order; more than one only on shared boundaries or
    /// overlaps. For diagnostics and overlap checks, not the hot path.
    public func locateAll(_ p: GeoPoint) -> [String] {
        var all: [String] = []
        visitCovering(p) { g in
            all.append(ids[g])
            return true
        }
        return all
    }

    /// Visits covering grids in tie-break order until `body` returns false.
    @inline(__always)
    private func visitCovering(_ p: GeoPoint, _ body: (Int) -> Bool) {
        guard !items.isEmpty, bounds.contains(p) else { return }
        let c = Self.clampIndex((p.lon - bounds.minLon) * invCellLon, columns)
        let r = Self.clampIndex((p.lat - bounds.minLat) * invCellLat, rows)
        let b = r * columns + c
        for k in Int(starts[b])..<Int(starts[b + 1]) {
            let g = Int(items[k])
            guard boxes[g].contains(p) else { continue }
            if shapes[g].locate(p, epsilon: boundaryEpsilon) != .outside, !body(g) { return }
        }
    }

    /// Clamped so points on the max edge (and float overshoot) land in the last bucket.
    @inline(__always)
    private static func clampIndex(_ x: Double, _ n: Int) -> Int {
        guard x > 0 else { return 0 } // also catches NaN
        return x >= Double(n - 1) ? n - 1 : Int(x)
    }
}
