import FluentKit
import SQLKit

/// On PostgreSQL the cases table is vacuumed after every half per cent of it is new or changed, not every fifth (the
/// server's default): a vacuum marks pages all-visible, and only then do counts and lists answer from an index's
/// entries without reading each case's row. Open cases live on the newest pages, which under the default stayed
/// unmarked for months in a county of a million cases (a fifth of the table new before the next vacuum): the
/// overview's two counts of 13,000 open cases read 13,000 rows each, 30 ms of PostgreSQL's CPU a view against 7 after a vacuum
/// (BENCHMARKS.md). SQLite has no such map.
struct VacuumCasesOften: AsyncMigration {
    var name: String { "025_VacuumCasesOften" }

    static let settings = ["autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor"]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        let options = Self.settings.map { "\($0) = 0.005" }.joined(separator: ", ")
        try await sql.raw("ALTER TABLE \(ident: CaseModel.schema) SET (\(unsafeRaw: options))").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE \(ident: CaseModel.schema) RESET (\(unsafeRaw: Self.settings.joined(separator: ", ")))").run()
    }
}
