import FluentKit
import SQLKit

/// On SQLite an index of the open cases alone, newest first within each county, holding what the overview's map
/// and its warning counts read: the map's newest open cases are read from it whole, in order, without a case's row.
/// Before, their ids came from the area's (area, state, id) entries and each row was then read by id, one table
/// page each, since open cases lie all over the file: at a million cases (3,516 open) the query took 8 ms in SQLite's
/// shell and takes 1 ms from this index, and the overview 19.9 → 12.8 ms of CPU a view. It takes the place of migration 019's
/// index, whose columns it holds: a report still adds one entry, now at the end of its county's run, and a
/// transition that moves a case's state or its times still moves one. PostgreSQL keeps 019's index: the map there
/// reads each state's newest from the (area, state, id) indexes, and an index of open cases would rarely be read
/// without the rows, whose pages are seldom all-visible where cases are open.
struct IndexOpenCasesNewestFirst: AsyncMigration {
    var name: String { "027_IndexOpenCasesNewestFirst" }

    static let index = "idx_cases_open_newest"
    /// The county first, then the case's id, so that a county's open cases are read newest first; then the codes
    /// below the county (the overview of a township, a village or a grid reads its county's run and keeps its own),
    /// and what the map and the warning counts show.
    static let columns = ["county_code", "id", "state", "township_code", "village_code", "grid_code", "code", "lat", "lon",
                          "blue_at", "yellow_at", "due_at"]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                CREATE INDEX \(ident: Self.index) ON \(ident: "cases") (\(SQLList(Self.columns.map { SQLIdentifier($0) })))
                WHERE \(unsafeRaw: IndexOpenCaseWarnings.open)
                """).run()
            try await sql.drop(index: IndexOpenCaseWarnings.index).run()
        }
    }

    /// Migration 019's index again.
    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await database.transaction { tx in
            try await IndexOpenCaseWarnings().prepare(on: tx)
            try await (tx as! any SQLDatabase).drop(index: Self.index).run()
        }
    }
}
