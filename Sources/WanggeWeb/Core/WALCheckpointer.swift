import SQLKit
import Vapor

/// Copies committed pages from SQLite's write-ahead log into the database file a few times a
/// second, on a reading connection. Otherwise the commit that finds the log past 1,000 pages does
/// it, while every report queued behind that writer waits (intake's slowest one percent). A
/// passive checkpoint never blocks the writer or readers; SQLite's own automatic one stays as a
/// fallback, and rarely finds anything left to do.
final class WALCheckpointer: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?
    static let interval: Duration = .milliseconds(250)

    func start(_ app: Application) {
        guard app.wanggeConfig.databaseURL == nil, let sql = app.db as? any SQLDatabase else { return }
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                if Task.isCancelled { break }
                do {
                    try await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
                } catch {
                    app.logger.debug("WAL checkpoint: \(error)")
                }
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }
}
