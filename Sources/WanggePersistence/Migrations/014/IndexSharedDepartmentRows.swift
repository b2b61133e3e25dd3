import FluentKit
import SQLKit

/// A handler's co-handling queue (协办) gathered the case ids its department shares from the
/// department's rows in `case_departments`, reading every row it leads too to learn which: 350,000
/// rows and 55–90 ms a page at a million cases, most often to find none. This index holds the shared
/// rows only, so a dispatch without co-handlers, and every report, adds nothing to it.
struct IndexSharedDepartmentRows: AsyncMigration {
    var name: String { "014_IndexSharedDepartmentRows" }

    static let index = "idx_case_departments_shared_department_code_case_id"
    /// The condition a query must repeat, word for word, for the index to serve it (`FALSE` is 0 in
    /// SQLite and a boolean in PostgreSQL).
    static let shared = "lead = FALSE"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE INDEX \(ident: Self.index) ON \(ident: "case_departments") (\(ident: "department_code"), \(ident: "case_id")) \
            WHERE \(unsafeRaw: Self.shared)
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.index).run()
    }
}
