import FluentKit
import SQLKit

/// A list bounded by dates (`from`, `to`) walked the cases newest first by id and checked each one's
/// time: at a million cases over three years, `to=2024-01-01` (or a range in the first year) passed
/// some 650,000 newer cases first, 0.55–0.6 s a page, and more each year the installation runs. In
/// (created_at) order — the rowid follows each entry, so it is (created_at, id) — such a page starts at
/// its bound. New cases are stamped with the present, so intake adds at the index's end.
struct IndexCasesByTime: AsyncMigration {
    var name: String { "018_IndexCasesByTime" }

    func prepare(on database: any Database) async throws {
        try await database.createIndexes(on: CaseModel.schema, [["created_at", "id"]])
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "idx_cases_created_at_id").run()
    }
}
