import Foundation
import Vapor
import WanggePersistence

/// Runs `work` every `interval` seconds while the server runs (an interval of 0 runs nothing). A
/// failed run is logged and the next one comes at its time.
final class RepeatingJob: LifecycleHandler, @unchecked Sendable {
    private let interval: TimeInterval
    private let work: @Sendable (Application) async throws -> Void
    private var task: Task<Void, Never>?

    init(every interval: TimeInterval, _ work: @escaping @Sendable (Application) async throws -> Void) {
        self.interval = interval
        self.work = work
    }

    func start(_ app: Application) {
        guard interval > 0 else { return }
        let (interval, work) = (interval, work)
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                do {
                    try await work(app)
                } catch {
                    app.logger.report(error: error)
                }
            }
        }
    }

    func shutdown(_ application: Application) {
        task?.cancel()
    }
}

extension Application {
    /// Moves queued search terms into the index (`CaseSearchTerms`); returns how many cases'.
    @discardableResult
    func indexSearchTerms() async throws -> Int {
        try await onServerWriteConnection { try await SearchTermIndexer(db: db).drain() }
    }

    /// Adds the rollup journal's waiting reports to the rollups (`RollupJournal`); returns how many rows
    /// of it it folded.
    @discardableResult
    func foldRollups() async throws -> Int {
        try await onServerWriteConnection { try await RollupJournalFolder(db: db).drain() }
    }

    /// A background job's writes: on SQLite through the server's write connection on the writer thread,
    /// as intake writes (`SQLiteWriterMiddleware` binds it for requests); elsewhere as they are.
    /// Their own work runs on the background thread, behind the requests (`WriterThread.background`): in
    /// the idle moments of full intake rather than on the event loops. Were the cores busy without pause, the
    /// jobs would fall behind, and readers of the rollups fold what waits themselves (`foldIfPending`), as
    /// search reads the queued terms.
    func onServerWriteConnection<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(WriterThread.background) {
            try await SQLiteWriteConnection.$current.withValue(storage[SQLiteWriteConnectionKey.self], operation: work)
        }
    }
}
