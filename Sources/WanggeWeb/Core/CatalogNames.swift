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
    /// Every category in its order, for the pages' choices (the work list's filter, the report form, the case
    /// page's forms), the categories API, Open311's services and the admin's rules: each of those read them all as
    /// Fluent models at every view (a twentieth of the work list; 1.04 ms of the categories API's 1.1).
    var categoryList: [CategoryListing]
    /// The departments that take cases, by code, for a case page's dispatch form (read as models at every view, 8%).
    var activeDepartments: [(code: String, name: String)]
    /// Made anew with each reading, so its options are as fresh as the names.
    let gridChoices = GridChoicesMemo()

    static let lifetime: Duration = .seconds(5)

    static func read(on db: any Database) async throws -> CatalogNames {
        let generation = CatalogChanges.generation
        let book = try await NameBook.load(on: db)
        var units: [String: String] = [:]
        if let sql = db as? any SQLDatabase { units = try await NameBook.names(sql, OrgUnitModel.schema) }
        return CatalogNames(generation: generation, departments: book.departments, categories: book.categories, units: units,
                            intakeCategories: try await IntakeCategory.all(on: db), categoryList: try await CategoryListing.all(on: db),
                            activeDepartments: try await activeDepartments(on: db))
    }

    private static func activeDepartments(on db: any Database) async throws -> [(code: String, name: String)] {
        try await PlainReads.rows(DepartmentModel.query(on: db).filter(\.$active == true).sort(\.$code), columns: ["code", "name"], on: db)
            .map { try $0.codeAndName() }
    }
}

/// A category as the pages offer it.
struct CategoryListing: Sendable, Equatable {
    var code: String
    var name: String
    var parentCode: String?
    var active: Bool
    var defaultLevel: String?
    var defaultDepartmentCode: String?

    /// All of them in their `sort` order.
    static func all(on db: any Database) async throws -> [CategoryListing] {
        try await PlainReads.rows(CategoryModel.query(on: db).sort(\.$sort), columns: ["code", "name", "parent_code", "active", "default_level",
                                                                                     "default_department_code"], on: db).map { row in
            CategoryListing(code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
                            parentCode: try row.decode(column: "parent_code", as: String?.self),
                            active: try row.decode(column: "active", as: Bool.self),
                            defaultLevel: try row.decode(column: "default_level", as: String?.self),
                            defaultDepartmentCode: try row.decode(column: "default_department_code", as: String?.self))
        }
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
