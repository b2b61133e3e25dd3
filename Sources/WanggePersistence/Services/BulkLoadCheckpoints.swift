import Foundation
import Synchronization

/// Copies a bulk load's write-ahead log into the file on a thread of its own. Run by the loading
/// connection after its commits (SQLite's automatic checkpoint), the copying was a quarter of that
/// writer's time in `wangge generate`. At a million cases, four alternating pairs, the run took
/// 151.6–171.6 s with it and 163.6–178.7 s without, each pair in its favour; the rollups phase,
/// bound by the writer's thread, was the steady part of the gain (BENCHMARKS.md, "Generator,
/// 2026-12-02 (afternoon)").
///
/// The log still starts over once every `startAtPages`, as it did: when a commit leaves the log past
/// that length, a second connection copies it while the loader writes on. At the loader's first
/// commit after that copy is done, the loader copies the few batches written meanwhile itself, so
/// that its next transaction begins with the whole log in the file and starts the log over. (A
/// copy racing the writer never gets to the end of the log; see `WALCheckpoints`.) Pages that every
/// batch touches are copied twice a cycle instead of once.
final class BulkLoadCheckpoints: Sendable {
    private enum State {
        case idle
        case copying(Task<Void, Never>)
        case copied((any Error)?)
    }

    private let connection: SQLiteWriteConnection
    private let startAtPages: Int
    private let state = Mutex(State.idle)
    private static let thread = WriterThread(name: "wangge-load-wal")

    init(path: String, startAtPages: Int) throws {
        connection = try SQLiteWriteConnection(path: path, purpose: .bulkLoadCheckpoints)
        self.startAtPages = startAtPages
    }

    /// Called on the loader's thread right after a commit that left `logPages` pages in the log.
    func afterCommit(logPages: Int, of loader: SQLiteWriteConnection) throws {
        switch state.withLock({ $0 }) {
        case .copying:
            return
        case .copied(let failure):
            state.withLock { $0 = .idle }
            if let failure { throw failure }
            _ = try loader.checkpoint()
        case .idle:
            guard logPages >= startAtPages else { return }
            let copy = Task(executorPreference: Self.thread) { [self] in
                let failure: (any Error)?
                do {
                    _ = try connection.checkpoint()
                    failure = nil
                } catch {
                    failure = error
                }
                state.withLock { $0 = .copied(failure) }
            }
            // The copy may already be done; it only ever moves the state from copying to copied.
            state.withLock { if case .idle = $0 { $0 = .copying(copy) } }
        }
    }

    /// Waits for a copy still running, and reports its failure.
    func settle() async throws {
        if case .copying(let copy) = state.withLock({ $0 }) { await copy.value }
        if case .copied(let failure) = state.withLock({ $0 }) {
            state.withLock { $0 = .idle }
            if let failure { throw failure }
        }
    }
}
