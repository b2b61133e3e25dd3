import FluentKit
import SQLKit

/// The (lat, lon) index of cases served no query. The one query that filters by position, the
/// duplicate hint (`CaseQueryService.duplicateHints`), asks for one category's cases of the last
/// seven days, and the (category_code, created_at) index answers that with a few dozen rows where a
/// band of latitude holds thousands; SQLite's planner took the category index at a million cases.
/// A report's latitude put its entry at a random place in the location index: one more page written
/// by every report, 5–8% of intake's CPU at a million cases.
struct DropCaseLocationIndex: AsyncMigration {
    var name: String { "010_DropCaseLocationIndex" }

    static let dropped = SlimCaseIndexes.indexName("cases", ["lat", "lon"])

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.dropped).run()
    }

    func revert(on database: any Database) async throws {
        try await database.createIndexes(on: "cases", [["lat", "lon"]])
    }
}
