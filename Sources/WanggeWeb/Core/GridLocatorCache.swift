import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// The point-in-polygon index over every grid, built once and rebuilt when grids change. Several app
/// instances each keep their own; a cheap fingerprint query (count and latest update of grids)
/// notices changes made by another instance.
actor GridLocatorCache {
    private var locator: GridLocator?
    private var fingerprint: String?

    func invalidate() {
        locator = nil
        fingerprint = nil
    }

    func locator(on db: any Database) async throws -> GridLocator {
        let current = try await Self.fingerprint(on: db)
        if let locator, current == fingerprint { return locator }
        let grids = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).all()
        let entries = grids.compactMap { grid in grid.shape.map { (id: grid.code, shape: $0) } }
        let built = GridLocator(grids: entries)
        locator = built
        fingerprint = current
        return built
    }

    static func fingerprint(on db: any Database) async throws -> String {
        let query = OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue)
        let count = try await query.count()
        let latest = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).max(\.$updatedAt)
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
