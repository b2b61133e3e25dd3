import FluentKit
import SQLKit

/// The overview's warning colours per township (or village, or grid) read three threshold times of
/// every open case of the area: at a million cases, tens of thousands of open cases, each row on a page
/// of its own in a 5 GB file, a third of the page's 150 ms. This index holds the open cases only, with
/// the area's codes and the three times, so the count reads index pages alone.
struct IndexOpenCaseWarnings: AsyncMigration {
    var name: String { "019_IndexOpenCaseWarnings" }

    static let index = "idx_cases_open_warnings"
    /// The open states, written out once: a query must repeat this condition word for word for the
    /// index to serve it (SQLite does not match bound values against it). A state added to
    /// `CaseState.openStates` later needs a new migration with a new index; a test holds the two equal.
    static let openStates = ["reported", "registered", "dispatched", "in_progress", "handled", "verified", "evaluated"]
    static let open = "state IN (" + openStates.map { "'\($0)'" }.joined(separator: ", ") + ")"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        // The times first: a report's entry goes where other recent reports' went (their deadlines
        // near its own), not to one of a thousand grids' places, so intake writes no more pages
        // (keyed by grid first it cost reports 6% more CPU). `state` last, though the condition
        // implies it, so SQLite sees the index holds every column the count asks for and takes it.
        let columns = ["county_code", "due_at", "yellow_at", "blue_at", "township_code", "village_code", "grid_code", "state"]
        try await sql.raw("""
            CREATE INDEX \(ident: Self.index) ON \(ident: "cases") (\(SQLList(columns.map { SQLIdentifier($0) })))
            WHERE \(unsafeRaw: Self.open)
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.index).run()
    }
}
