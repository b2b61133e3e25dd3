import FluentKit
import SQLKit
import SQLiteNIO

extension Database {
    /// Runs `body` as one write transaction. PostgreSQL takes it as it is. SQLite allows one writer
    /// at a time per file, and SQLiteNIO's busy handler answers a locked file by retrying at once:
    /// two connections writing together spin the CPU until one commits. So on SQLite the writers of
    /// this process queue here, one at a time, and readers (WAL) never wait for them.
    ///
    /// Each writing connection runs with `synchronous=NORMAL`: in WAL mode a commit is in the log
    /// file before COMMIT returns, so an acknowledged case survives the server's crash or `kill -9`
    /// (scripts/crash-test proves it); only a power cut may lose the last commits before a
    /// checkpoint. FULL would fsync on every commit, which is most of an intake's time.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        let writer = SQLiteWriter.database ?? self
        return try await SQLiteWriteGate.shared.run {
            try await writer.withConnection { connection in
                try await SQLiteWriteGate.shared.prepareOnce(connection)
                return try await connection.transaction(body)
            }
        }
    }
}

/// The connections that write, kept apart from the pool that reads: a reader waiting for a
/// connection never holds up the writer, and a writer's transaction never holds up a page view.
/// The web layer binds it for every request on SQLite; without it writes use the caller's pool.
public enum SQLiteWriter {
    /// Made only when a request writes: building Fluent's handle for every request (most of them
    /// only read) was a few per cent of a tracking request.
    @TaskLocal public static var source: Source?

    public static var database: (any Database)? { source?.connect() }

    /// Held in a struct: a task-local of a bare closure type crashed the optimised build.
    public struct Source: Sendable {
        let connect: @Sendable () -> any Database
        public init(_ connect: @escaping @Sendable () -> any Database) { self.connect = connect }
    }
}

/// The queue of one process's SQLite writers: first come, first served, waiting without a thread.
actor SQLiteWriteGate {
    static let shared = SQLiteWriteGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var next = 0
    /// The connections whose settings are already made. Held, so that no new connection can be
    /// born at a closed one's address and be taken for prepared.
    private var prepared: [ObjectIdentifier: SQLiteConnection] = [:]

    /// The writer's settings, made once per connection (SQLite keeps them per connection): the same
    /// as the server's own write connection's (`SQLiteWriteConnection.serverWriterPragmas`).
    func prepareOnce(_ connection: any Database) async throws {
        guard let sqlite = connection as? any SQLiteDatabase, let sql = connection as? any SQLDatabase else { return }
        let raw = try await sqlite.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
        guard prepared.updateValue(raw, forKey: ObjectIdentifier(raw)) == nil else { return }
        for pragma in SQLiteWriteConnection.serverWriterPragmas {
            try await sql.raw("PRAGMA \(unsafeRaw: pragma)").run()
        }
    }

    /// Runs `body` alone among the process's writers; how long it held them goes to `WriterHolds`.
    func run<T: Sendable>(_ kind: WriterHolds.Kind = .transaction, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        let start = ContinuousClock.now
        defer { WriterHolds.record(kind, ContinuousClock.now - start) }
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the gate straight to the next writer, so nobody can jump the queue.
    private func release() {
        guard next < waiting.count else {
            busy = false
            waiting.removeAll(keepingCapacity: true)
            next = 0
            return
        }
        let continuation = waiting[next]
        next += 1
        if next > 1024 {
            waiting.removeFirst(next)
            next = 0
        }
        continuation.resume()
    }
}
