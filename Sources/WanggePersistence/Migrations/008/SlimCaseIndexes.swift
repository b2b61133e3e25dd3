import FluentKit
import SQLKit

/// Smaller indexes for what every report writes. Each index is one more B-tree the writer inserts
/// into while it holds SQLite's one write lock:
/// - `case_search_terms (case_id)` served no query (search goes by term; terms are never deleted
///   or looked up by case). At a million cases it held twelve million entries.
/// - The case indexes on columns a new report leaves empty (lead department, assigned grid worker,
///   master case, reporter's account, overdue time) now hold only rows that have a value: every
///   query that uses them asks for a value (`=`, `IN`, `<=`), which SQLite and PostgreSQL both take
///   as implying `IS NOT NULL`, so they still choose them (`CaseIndexTests`).
struct SlimCaseIndexes: AsyncMigration {
    var name: String { "008_SlimCaseIndexes" }

    /// Each index's columns; the first is the one that must hold a value.
    static let valuedOnly: [[String]] = [
        ["lead_department_code", "state", "id"], ["assigned_grid_code", "state", "id"], ["master_case_id"],
        ["reporter_username", "id"], ["overdue_at"],
    ]

    static func indexName(_ table: String, _ columns: [String]) -> String { "idx_\(table)_\(columns.joined(separator: "_"))" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.indexName("case_search_terms", ["case_id"])).run()
        for columns in Self.valuedOnly {
            let name = Self.indexName("cases", columns)
            try await sql.drop(index: name).run()
            try await sql.raw("""
                CREATE INDEX \(ident: name) ON \(ident: "cases") (\(SQLList(columns.map { SQLIdentifier($0) })))
                WHERE \(ident: columns[0]) IS NOT NULL
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for columns in Self.valuedOnly {
            try await sql.drop(index: Self.indexName("cases", columns)).run()
        }
        try await database.createIndexes(on: "cases", Self.valuedOnly)
        try await database.createIndexes(on: "case_search_terms", [["case_id"]])
    }
}
