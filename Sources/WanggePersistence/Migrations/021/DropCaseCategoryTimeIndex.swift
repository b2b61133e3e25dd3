import FluentKit
import SQLKit

/// The (category_code, created_at) index served one query, the duplicate hint: one category's open cases
/// of the last seven days. It now walks the (category_code, id) index (015) back to the smallest id among
/// those days' cases, read from the (created_at, id) index (018). Every report wrote an entry of this
/// index at its category's end of the week, most of a page of the log each: without it, intake took less CPU
/// a report in most alternating pairs (BENCHMARKS.md, "One index fewer on every report").
struct DropCaseCategoryTimeIndex: AsyncMigration {
    var name: String { "021_DropCaseCategoryTimeIndex" }

    static let dropped = SlimCaseIndexes.indexName("cases", ["category_code", "created_at"])

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.dropped).run()
    }

    func revert(on database: any Database) async throws {
        try await database.createIndexes(on: "cases", [["category_code", "created_at"]])
    }
}
