import Fluent
import SQLKit
import Vapor
import WanggePersistence

/// The names of units, departments and categories, which every case view shows beside their codes, and
/// what intake checks of a category (whether it takes reports, its extra fields).
/// They change a few times a year, and reading them was two of a tracking request's five statements
/// (and the category 6 µs of a report's 160 on the event loops, a read at every report):
/// kept in memory (a county has a few thousand units at most), dropped at once when this instance
/// changes any (`CatalogChanges`), and read again every few seconds for another instance's changes.
struct CatalogNames: Sendable {
    var generation: Int
    var departments: [String: String]
    var categories: [String: String]
    var units: [String: String]
    var intakeCategories: [String: IntakeCategory]

    static let lifetime: Duration = .seconds(5)

    static func read(on db: any Database) async throws -> CatalogNames {
        let generation = CatalogChanges.generation
        let book = try await NameBook.load(on: db)
        var units: [String: String] = [:]
        if let sql = db as? any SQLDatabase { units = try await NameBook.names(sql, OrgUnitModel.schema) }
        return CatalogNames(generation: generation, departments: book.departments, categories: book.categories, units: units,
                            intakeCategories: try await IntakeCategory.all(on: db))
    }
}

struct CatalogNamesKey: StorageKey {
    typealias Value = RefreshingValue<CatalogNames>
}

extension Application {
    func catalogNames(on db: any Database) async throws -> CatalogNames {
        guard let cache = storage[CatalogNamesKey.self] else { return try await CatalogNames.read(on: db) }
        let names = try await cache.get { _ in try await CatalogNames.read(on: db) }
        guard names.generation == CatalogChanges.generation else {
            await cache.invalidate()
            return try await cache.get { _ in try await CatalogNames.read(on: db) }
        }
        return names
    }
}
