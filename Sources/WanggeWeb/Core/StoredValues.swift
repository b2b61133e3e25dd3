import Vapor
import WanggePersistence

/// Something with Vapor's `Storage`: a request or the application.
protocol StorageHolder: AnyObject {
    var storage: Storage { get set }
}

extension Request: StorageHolder {}
extension Application: StorageHolder {}

extension StorageHolder {
    /// The value under `key`, made and kept on first use. Vapor's `storage[key, default:]` is a mutating
    /// getter: every use copied the whole storage out under its lock and wrote the copy back under the lock
    /// again, so a key written by another thread in between (a test's clock, a request's CSRF token) could
    /// be undone. Here a value already kept is only read. (It is no faster: a case page's cost in storage
    /// is the typed look-up itself, 2.3%, and making the database handle once, 1.6%.)
    func stored<Key: StorageKey>(_ key: Key.Type, orMake make: @autoclosure () -> Key.Value) -> Key.Value {
        if let kept = storage[key] { return kept }
        let made = make()
        storage[key] = made
        return made
    }
}

struct RecentCasesFloorKey: StorageKey {
    typealias Value = RecentCasesFloor
}

extension Application {
    /// The duplicate hints' window floor, kept between requests (`RecentCasesFloor`).
    var recentCasesFloor: RecentCasesFloor { stored(RecentCasesFloorKey.self, orMake: RecentCasesFloor()) }
}
