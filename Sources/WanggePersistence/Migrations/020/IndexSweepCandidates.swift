import FluentKit
import SQLKit

/// The SLA sweep looks every minute for open cases whose deadline has passed and are not yet marked
/// overdue, and for marked ones red long enough to escalate. Asked of all cases, SQLite walked the
/// whole table for them: at a million cases 0.7 s of CPU and 180 MB read a tick. These two indexes
/// hold only the candidates: open cases not yet marked, by deadline (every open case until its mark),
/// and marked ones not yet escalated, by the time of their mark.
struct IndexSweepCandidates: AsyncMigration {
    var name: String { "020_IndexSweepCandidates" }

    static let unmarkedIndex = "idx_cases_open_unmarked_due"
    static let unescalatedIndex = "idx_cases_red_unescalated"
    /// Written out word for word, as a query must repeat them for SQLite to use the index (see 019).
    static let unmarked = IndexOpenCaseWarnings.open + " AND overdue_at IS NULL"
    static let unescalated = IndexOpenCaseWarnings.open + " AND overdue_at IS NOT NULL AND NOT auto_escalated"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        // The columns of the condition after the key, though it implies them, so that SQLite sees each
        // index holds all the sweep asks and takes it (as for 019).
        for (index, columns, condition) in [(Self.unmarkedIndex, ["due_at", "state", "overdue_at"], Self.unmarked),
                                            (Self.unescalatedIndex, ["overdue_at", "state", "auto_escalated"], Self.unescalated)] {
            try await sql.raw("""
                CREATE INDEX \(ident: index) ON \(ident: "cases") (\(SQLList(columns.map { SQLIdentifier($0) }))) WHERE \(unsafeRaw: condition)
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.unescalatedIndex).run()
        try await sql.drop(index: Self.unmarkedIndex).run()
    }
}
