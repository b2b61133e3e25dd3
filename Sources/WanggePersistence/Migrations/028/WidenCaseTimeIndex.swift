import FluentKit
import SQLKit

/// The (created_at, id) index of migration 018 with each case's category, channel and grid beside it. An Open311 list
/// of one service (`service_code=0105`) walks the last 90 days newest first and keeps the public reports of that
/// service: at a million cases it read the row of each of the window's 82,000 cases to learn both, 38 ms in SQLite's
/// shell for 1,000 requests, and 10 ms reading them from the index entries. A dispatcher's list within dates and a
/// category or channel reads them there too, and the big screen's hot spots (the last 72 hours' reports by grid and
/// category) read nothing else: they read 2,000 rows of about a kilobyte each, some 500 pages, at every view. None of
/// the three columns changes in a transition, so a transition writes this index no more than before; a report's entry
/// is some 35 bytes longer.
struct WidenCaseTimeIndex: AsyncMigration {
    var name: String { "028_WidenCaseTimeIndex" }

    static let columns = ["created_at", "id", "category_code", "channel", "grid_code"]
    static let index = SlimCaseIndexes.indexName(CaseModel.schema, columns)
    static let replaced = SlimCaseIndexes.indexName(CaseModel.schema, ["created_at", "id"])

    func prepare(on database: any Database) async throws {
        try await database.transaction { tx in
            try await tx.createIndexes(on: CaseModel.schema, [Self.columns])
            try await (tx as! any SQLDatabase).drop(index: Self.replaced).run()
        }
    }

    /// Migration 018's index again.
    func revert(on database: any Database) async throws {
        try await database.transaction { tx in
            try await IndexCasesByTime().prepare(on: tx)
            try await (tx as! any SQLDatabase).drop(index: Self.index).run()
        }
    }
}
