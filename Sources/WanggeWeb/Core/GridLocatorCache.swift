import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// The point-in-polygon index over every grid, built once and rebuilt when grids change. Several app
/// instances each keep their own; a cheap fingerprint query (count and latest update of grids),
/// asked at most every `recheckSeconds`, notices changes made by another instance. This instance's
/// own edits invalidate it at once.
actor GridLocatorCache {
    private var locator: GridLocator?
    private var fingerprint: String?
    private var checkedAt = ContinuousClock.now
    /// The check or rebuild under way: callers arriving meanwhile wait for it instead of each
    /// building its own index (32 reports at start-up built 32).
    private var refreshing: Task<GridLocator, any Error>?
    private var generation = 0
    /// Intake asks for the locator on every report: one query each time was a tenth of its work.
    static let recheckSeconds = 2

    func invalidate() {
        locator = nil
        fingerprint = nil
        refreshing = nil
        generation += 1
    }

    func locator(on db: any Database) async throws -> GridLocator {
        if let locator, ContinuousClock.now - checkedAt < .seconds(Self.recheckSeconds) { return locator }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.refresh(on: db) }
        refreshing = task
        defer { if refreshing == task { refreshing = nil } }
        return try await task.value
    }

    private func refresh(on db: any Database) async throws -> GridLocator {
        let started = generation
        let current = try await Self.fingerprint(on: db)
        if let locator, current == fingerprint, started == generation {
            checkedAt = ContinuousClock.now
            return locator
        }
        let grids = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).all()
        let entries = grids.compactMap { grid in grid.shape.map { (id: grid.code, shape: $0) } }
        let built = GridLocator(grids: entries)
        if started == generation {
            locator = built
            fingerprint = current
            checkedAt = ContinuousClock.now
        }
        return built
    }

    static func fingerprint(on db: any Database) async throws -> String {
        guard let sql = db as? any SQLDatabase else { return "" }
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM \(unsafeRaw: OrgUnitModel.schema) WHERE level = \(bind: OrgLevel.grid.rawValue)
            """).first()
        let count = try row?.decode(column: "n", as: Int.self) ?? 0
        let latest = try row?.decode(column: "latest", as: Date?.self)
        return "\(count)-\(latest?.timeIntervalSince1970 ?? 0)"
    }
}

struct GridLocatorCacheKey: StorageKey {
    typealias Value = GridLocatorCache
}

extension Application {
    var gridLocatorCache: GridLocatorCache {
        if let cache = storage[GridLocatorCacheKey.self] { return cache }
        let cache = GridLocatorCache()
        storage[GridLocatorCacheKey.self] = cache
        return cache
    }
}
