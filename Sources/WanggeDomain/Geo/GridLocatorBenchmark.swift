/// Self-contained locator benchmark (e.g. behind an admin diagnostics page or a CLI flag), so
/// "is locate still microseconds?" can be answered on the production box, not just a laptop.
public enum GridLocatorBenchmark {
    public struct Result: Sendable {
        public var grids: Int
        public var lookups: Int
        public var columns: Int
        public var rows: Int
        public var meanCandidatesPerBucket: Double
        /// Lattice generation (DemoGeometry) — not part of the locator cost, shown for context.
        public var generateMillis: Double
        public var buildMillis: Double
        public var meanNanos: Double
        public var p50Nanos: Double
        public var p99Nanos: Double
        public var hits: Int

        public var report: String {
            func f(_ v: Double, _ digits: Int = 1) -> String {
                var p = 1.0
                for _ in 0..<digits { p *= 10 }
                let r = (v * p).rounded() / p
                return digits == 0 ? String(Int(r)) : "\(r)"
            }
            let rowsOut: [(String, String)] = [
                ("grids", "\(grids)"),
                ("bucket index", "\(columns) × \(rows), \(f(meanCandidatesPerBucket, 2)) candidates/bucket"),
                ("lattice generation", "\(f(generateMillis)) ms"),
                ("locator build", "\(f(buildMillis)) ms"),
                ("lookups", "\(lookups) (\(hits) hits, \(lookups - hits) outside)"),
                ("mean per lookup", "\(f(meanNanos, 0)) ns"),
                ("p50 per lookup", "\(f(p50Nanos, 0)) ns (per-batch)"),
                ("p99 per lookup", "\(f(p99Nanos, 0)) ns (per-batch)"),
            ]
            let width = rowsOut.map(\.0.count).max() ?? 0
            return rowsOut.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }
                .joined(separator: "\n")
        }
    }

    /// Batch size for percentiles: single lookups are too short to time reliably, so p50/p99 are over
    /// per-lookup averages of consecutive batches.
    public static let batchSize = 256

    public static func run(grids: Int = 10_000, lookups: Int = 200_000, seed: UInt64 = 42) -> Result {
        let n = max(1, grids)
        let columns = max(1, Int(Double(n).squareRoot().rounded(.up)))
        let rows = (n + columns - 1) / columns
        let origin = GeoPoint(lon: 120.0, lat: 30.0)
        let cellLon = 0.005, cellLat = 0.0045 // ≈ 480 m × 500 m at 30°N, a typical urban grid
        let clock = ContinuousClock()

        let t0 = clock.now
        let lattice = DemoGeometry.lattice(columns: columns, rows: rows, origin: origin, cellLon: cellLon,
                                           cellLat: cellLat, jitter: 0.2, seed: seed)
        var input: [(id: String, shape: GeoMultiPolygon)] = []
        input.reserveCapacity(n)
        outer: for i in 0..<columns {
            for k in 0..<rows {
                guard input.count < n else { break outer }
                let serial = input.count
                input.append((id: "330110001\(pad(serial / 100 + 1, 3))-\(pad(serial % 100 + 1, 3))",
                              shape: GeoMultiPolygon(lattice[i][k])))
            }
        }
        let t1 = clock.now
        let locator = GridLocator(grids: input)
        let t2 = clock.now

        // Sample over the lattice plus a 10 % margin, so some lookups fall outside every grid.
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let spanLon = Double(columns) * cellLon, spanLat = Double(rows) * cellLat
        let count = max(1, lookups)
        var points: [GeoPoint] = []
        points.reserveCapacity(count)
        for _ in 0..<count {
            points.append(GeoPoint(lon: origin.lon + rng.nextDouble(in: -0.1, 1.1) * spanLon,
                                   lat: origin.lat + rng.nextDouble(in: -0.1, 1.1) * spanLat))
        }

        // Warm-up pass: page in the index and settle caches/branch predictors before timing.
        var hits = 0
        for p in points.prefix(10_000) where locator.locate(p) != nil { hits &+= 1 }
        hits = 0
        var batchNanos: [Double] = []
        batchNanos.reserveCapacity(count / batchSize + 1)
        var totalNanos = 0.0
        var start = 0
        while start < count {
            let end = min(start + batchSize, count)
            let b0 = clock.now
            for i in start..<end where locator.locate(points[i]) != nil { hits &+= 1 }
            let ns = nanos(clock.now - b0)
            totalNanos += ns
            batchNanos.append(ns / Double(end - start))
            start = end
        }
        batchNanos.sort()
        func percentile(_ q: Double) -> Double {
            batchNanos[min(batchNanos.count - 1, Int((Double(batchNanos.count - 1) * q).rounded()))]
        }
        return Result(grids: n, lookups: count, columns: locator.columns, rows: locator.rows,
                      meanCandidatesPerBucket: locator.meanCandidatesPerBucket,
                      generateMillis: nanos(t1 - t0) / 1e6, buildMillis: nanos(t2 - t1) / 1e6,
                      meanNanos: totalNanos / Double(count), p50Nanos: percentile(0.5), p99Nanos: percentile(0.99),
                      hits: hits)
    }

    private static func nanos(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) * 1e9 + Double(c.attoseconds) / 1e9
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
