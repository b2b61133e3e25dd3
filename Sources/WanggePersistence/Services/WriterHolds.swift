import Synchronization

/// How long this process's SQLite writers were held back, told to whoever watches (the web layer's
/// `/metrics` and log). A write transaction holds every other writer for its whole length, and the
/// log's restart holds them while the file is flushed: a slow disk or a stalled read shows here
/// first, where a slow request alone does not say which write it waited behind.
public enum WriterHolds {
    public enum Kind: String, Sendable, CaseIterable {
        /// One write transaction (a group of reports or transitions, or any other write).
        case transaction
        /// `WALCheckpoints`' last copy of the log with the writers held, and the file's flush.
        case logRestart = "log_restart"
    }

    public typealias Observer = @Sendable (Kind, Duration) -> Void

    /// The observer sits in a class so the lock hands out a reference. A closure kept in the `Mutex`
    /// itself is re-wrapped in a pair of reabstraction thunks at every read, and the wrapped copy is
    /// written back (swiftlang/swift#91348, -O too on Swift 6.3.1): each write transaction made the next
    /// one's call deeper, slowing the writer and growing its stack until the server would crash.
    private final class Box: Sendable {
        let body: Observer
        init(_ body: @escaping Observer) { self.body = body }
    }

    private static let observer = Mutex<Box?>(nil)

    /// Set once by the server at start; a later call replaces it (tests start one app after another).
    public static func observe(_ body: Observer?) {
        let box = body.map(Box.init)
        observer.withLock { $0 = box }
    }

    static func record(_ kind: Kind, _ held: Duration) {
        observer.withLock { $0 }?.body(kind, held)
    }
}
