import Foundation

/// Copies SQLite's write-ahead log into the database file on a thread of its own, so that the
/// writer only appends to the log. Left to the writer, the checkpoint ran inside every commit that
/// found the log past 1,000 pages: half of the commits' time under steady intake, while every
/// report queued behind that commit waited.
///
/// A passive checkpoint copies while the writer goes on, and readers are never held up. But the log
/// starts over only when a write begins with all of it copied, which a checkpoint racing the
/// writer never achieves: alone it let the log grow past a gigabyte. So once the log is past
/// `restartAtPages`, the round copies the last few hundred pages with the process's writers held
/// back (`SQLiteWriteGate`), a wait of a few milliseconds after the copying done without it.
public final class WALCheckpoints: Sendable {
    /// Past this many pages in the log a round starts it over (holding the writers back).
    let restartAtPages: Int
    /// 64 MB of 4 KB pages; the writers' own fallback (`Purpose.server`) is four times this. Under full
    /// intake a report adds about 14 pages to the log, and at 16 MB most rounds started it over (52
    /// restarts in an eight-second run, each holding the writers 8.6 ms); at 64 MB, 20 (BENCHMARKS.md,
    /// "A longer log between restarts").
    public static let defaultRestartAtPages = 16_384
    static let interval: Duration = .milliseconds(100)

    private let connection: SQLiteWriteConnection
    /// The database file, opened once more only to flush it (see `round`).
    private let file: Int32
    private static let thread = WriterThread(name: "wangge-wal")

    public init(path: String, restartAtPages: Int = defaultRestartAtPages) throws {
        connection = try SQLiteWriteConnection(path: path, purpose: .checkpoints)
        self.restartAtPages = restartAtPages
        file = open(path, O_RDONLY)
    }

    deinit {
        if file >= 0 { close(file) }
    }

    /// Runs a round every `interval` until the task is cancelled. A round that fails (a full disk)
    /// is reported and the next one tries again; the writers' fallback still bounds the log.
    public func run(onError: @escaping @Sendable (any Error) -> Void) async {
        await withTaskExecutorPreference(Self.thread) {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                do {
                    try await round()
                } catch {
                    onError(error)
                }
            }
        }
    }

    /// One checkpoint, finished with the writers held back when the log is long enough to start
    /// over. Returns the log's length and how much of it is in the file, in pages; nil when another
    /// connection (a `wangge` command, or the writers' fallback) was checkpointing.
    @discardableResult
    public func round() async throws -> (logPages: Int, copiedPages: Int)? {
        guard let copied = try connection.checkpoint() else { return nil }
        guard copied.logPages >= restartAtPages else { return copied }
        // SQLite syncs the file only when a checkpoint has copied the whole log, which is the one
        // made with the writers held back: flushed by it, everything copied since the last
        // restart kept them waiting 10–40 ms. Flushed first, and the pages written meanwhile
        // copied once more without them, it was 5–9 ms. At a million cases a report's pages land
        // all over the file, the first flush took long enough for the writers to add thousands more,
        // and the held round flushed those: 31–34 ms. A second pass leaves it only what was written
        // during a short flush: 17–22 ms (BENCHMARKS.md, "The one writer held for shorter spells").
        for _ in 0..<2 {
            if file >= 0 { _ = fdatasync(file) }
            guard try connection.checkpoint() != nil else { return nil }
        }
        return try await SQLiteWriteGate.shared.run(.logRestart) { try self.connection.checkpoint() }
    }
}
