import Prometheus
import Vapor
import WanggePersistence

/// `wangge_writer_hold_seconds{kind}` on `/metrics`: how long SQLite's writers were held by each write
/// transaction and each restart of the log (`WriterHolds`). A hold past half a second is also logged
/// as a warning: every report and transition in that time waited behind it.
enum WriterHoldMetrics {
    static let warnAfter: Duration = .milliseconds(500)

    /// Watches the writers of a server on SQLite; on PostgreSQL there is no such gate to watch.
    static func observe(_ app: Application) {
        guard app.wanggeConfig.databaseURL == nil else { return WriterHolds.observe(nil) }
        let histograms = Dictionary(uniqueKeysWithValues: WriterHolds.Kind.allCases.map { kind in
            (kind, app.metricsRegistry.makeDurationHistogram(name: "wangge_writer_hold_seconds", labels: [("kind", kind.rawValue)],
                                                             buckets: RequestMetricsMiddleware.buckets))
        })
        let logger = app.logger
        WriterHolds.observe { kind, held in
            histograms[kind]?.record(held)
            if held > warnAfter {
                logger.warning("SQLite's writers were held \(held.formatted(.units(allowed: [.milliseconds]))) by a \(kind.rawValue)")
            }
        }
    }
}
