import Fluent
import Vapor

extension Request {
    /// The request's database handle, made once. Fluent's `db` builds a new handle at every use
    /// (locks, storage look-ups, a logger copy); a case page asked for it five times, a twentieth of
    /// its server time.
    var database: any Database {
        stored(RequestDatabaseKey.self, orMake: db)
    }
}

private struct RequestDatabaseKey: StorageKey {
    typealias Value = any Database
}
