import FluentKit
import SQLKit

/// A list filtered by a subcategory (0101 井盖) found the category's cases by (category, time) and
/// sorted all of them to show the newest 20: a subcategory holds 3–4% of the cases, 37,000 at a
/// million, so 0.16–0.9 s a page. In (category, id) order a page is the index's last 20 entries,
/// and a deep page starts at its cursor. (Category, time) stays for the duplicate hint, which asks
/// for the last seven days.
struct IndexCasesByCategory: AsyncMigration {
    var name: String { "015_IndexCasesByCategory" }

    func prepare(on database: any Database) async throws {
        try await database.createIndexes(on: CaseModel.schema, [["category_code", "id"]])
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "idx_cases_category_code_id").run()
    }
}
