import Vapor
import WanggePersistence

/// Runs `WALCheckpoints` for as long as the server runs on SQLite.
final class WALCheckpointer: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func start(_ app: Application) throws {
        guard app.wanggeConfig.databaseURL == nil else { return }
        let checkpoints = try WALCheckpoints(path: app.wanggeConfig.sqlitePath)
        let logger = app.logger
        task = Task { await checkpoints.run { logger.warning("WAL checkpoint failed: \($0)") } }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }
}
