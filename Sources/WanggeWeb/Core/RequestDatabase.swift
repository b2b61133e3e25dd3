import Fluent
import Vapor

extension Request {
    /// The database handle for this request. Fluent's `db` builds a new handle at every use (a lock,
    /// storage look-ups, a logger copy with the database's id): a case page asked for it five times, a
    /// twentieth of its server time, and made once a request it was still 2% of a report's. A handle is
    /// a pool's address and settings with nothing of a request's own, so each event loop's is made once
    /// at start (`LoopDatabases`) and serves every request on that loop. Its logger is the
    /// application's: a query's debug line carries no request id. Fluent's own handle only for an
    /// application configured without them (`configure` always makes them).
    /// On SQLite the handle is bound for the whole request (`RequestDatabase.bound`); a case page asked for it
    /// four times, each a copy of the application's storage under its lock (1.3% of the page's samples).
    var database: any Database {
        RequestDatabase.bound ?? loopDatabase(in: application.storage)
    }

    /// The handle of this request's event loop, looked up in the application's `storage`.
    func loopDatabase(in storage: Storage) -> any Database {
        storage[LoopDatabasesKey.self]?.handles[ObjectIdentifier(eventLoop)] ?? db
    }
}

/// The request's database handle while its handler runs, bound by `SQLiteWriterMiddleware` with the SQLite
/// application's other request-wide handles.
enum RequestDatabase {
    @TaskLocal static var bound: (any Database)?
}

/// One default database handle per event loop of the application's group, made before any request.
struct LoopDatabases: Sendable {
    let handles: [ObjectIdentifier: any Database]

    init(_ app: Application) {
        var handles: [ObjectIdentifier: any Database] = [:]
        for loop in app.eventLoopGroup.makeIterator() {
            handles[ObjectIdentifier(loop)] = app.databases.database(logger: app.logger, on: loop,
                                                                     pageSizeLimit: app.fluent.pagination.pageSizeLimit)
        }
        self.handles = handles
    }
}

struct LoopDatabasesKey: StorageKey {
    typealias Value = LoopDatabases
}
