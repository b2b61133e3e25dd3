import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// The point-in-polygon index over every grid, built once and rebuilt when grids change. Several app
/// instances each keep their own; a cheap fingerprint query (count and latest update of grids),
/// asked at most every `recheck` (intake asks on every report: one query each time was a tenth of
/// its work), notices changes made by another instance. This instance's own edits invalidate it at once.
/// The maps draw the same grids from it: parsing every grid's boundary again for each map was a tenth
/// of the overview page's time.
struct GridLocatorCache: Sendable {
    /// A grid as the maps draw it.
    struct MapGrid: Sendable {
        var code: String
        var name: String
        var ancestry: OrgAncestry
        var shape: GeoMultiPolygon
    }

    private struct Indexed: Sendable {
        var fingerprint: String
        var locator: GridLocator
        /// In order of code.
        var grids: [MapGrid]
    }

    static let recheck: Duration = .seconds(2)
    private let index = RefreshingValue<Indexed>(lifetime: recheck)

    func invalidate() async {
        await index.invalidate()
    }

    func locator(on db: any Database) async throws -> GridLocator {
        try await indexed(on: db).locator
    }

    /// Every grid with a boundary, in order of code, and the fingerprint they were read at (for caches of
    /// what is drawn from them).
    func drawn(on db: any Database) async throws -> (fingerprint: String, grids: [MapGrid]) {
        let indexed = try await indexed(on: db)
        return (indexed.fingerprint, indexed.grids)
    }

    private func indexed(on db: any Database) async throws -> Indexed {
        try await index.get { previous in
            let current = try await Self.fingerprint(on: db)
            if let previous, previous.fingerprint == current { return previous }
            let grids = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.grid.rawValue).sort(\.$code).all()
                .compactMap { grid in grid.shape.map { MapGrid(code: grid.code, name: grid.name, ancestry: grid.ancestry, shape: $0) } }
            return Indexed(fingerprint: current, locator: GridLocator(grids: grids.map { (id: $0.code, shape: $0.shape) }), grids: grids)
        }
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
        stored(GridLocatorCacheKey.self, orMake: GridLocatorCache())
    }
}
