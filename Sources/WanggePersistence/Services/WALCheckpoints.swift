import Foundation

/// Copies SQLite's write-ahead log into the database file on a thread of its own, so that the
/// writer only appends to the log. Left to the writer, the checkpoint ran inside every commit that
/// found the log past 1,000 pages: half of the commits' time under steady intake, while every
/// report queued behind that commit waited.
///
/// A passive checkpoint copies while the writer goes on, and readers are never held up. But the log
/// starts over only when a write begins with all of it copied, which a checkpoint racing the
/// writer never achieves: alone it let the log grow past a gigabyte. So once the log is past
/// `restartAtPages`, the round copies what was added meanwhile with the process's writers held
/// back (`SQLiteWriteGate`), a short wait after most of the copying was done without it.
public final class WALCheckpoints: Sendable {
    /// 16 MB of 4 KB pages by default. A page changed by many commits is copied once per round, so a
    /// longer log between rounds is less copying; the writer's own fallback (`Purpose.server`) is four
    /// times this.
    let restartAtPages: Int
    static let interval: Duration = .milliseconds(100)
    /// At most about this much is left to copy while the writers wait.
    static let heldBackPages = 256

    private let connection: SQLiteWriteConnection
    private static let thread = WriterThread(name: "wangge-wal")

    public init(path: String, restartAtPages: Int = 4096) throws {
        connection = try SQLiteWriteConnection(path: path, purpose: .checkpoints)
        self.restartAtPages = restartAtPages
    }

    /// Runs a round every `interval` until the task is cancelled.
    public func run() async {
        await withTaskExecutorPreference(Self.thread) {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                _ = try? await round()
            }
        }
    }

    /// One checkpoint, finished with the writers held back when the log is long enough to start
    /// over. Returns the log's length and how much of it is in the file, in pages; nil when another
    /// connection (a `wangge` command, or the writer's fallback) was checkpointing.
    @discardableResult
    public func round() async throws -> (logPages: Int, copiedPages: Int)? {
        guard var copied = try connection.checkpoint() else { return nil }
        guard copied.logPages >= restartAtPages else { return copied }
        // Each pass copies what the writes during the last one added; the writers are held back
        // only for a short remainder.
        for _ in 0..<3 where copied.logPages - copied.copiedPages > Self.heldBackPages {
            guard let next = try connection.checkpoint() else { return nil }
            copied = next
        }
        return try await SQLiteWriteGate.shared.run { try self.connection.checkpoint() }
    }
}
