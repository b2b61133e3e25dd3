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

    private static let observer = Mutex<Observer?>(nil)

    /// Set once by the server at start; a later call replaces it (tests start one app after another).
    public static func observe(_ body: Observer?) {
        observer.withLock { $0 = body }
    }

    static func record(_ kind: Kind, _ held: Duration) {
        observer.withLock { $0 }?(kind, held)
    }
}
