import FluentKit
import SQLKit

/// Before this version a return or an escalation cleared a case's departments in the case but left
/// their rows in `case_departments`, so the case stayed in the department's list, which could no longer
/// open it. A case with no lead department has no co-handling ones either, so every row of such a case
/// is left over; this removes them once. Dispatching again had replaced its rows already.
struct RemoveDepartmentRowsOfUnassignedCases: AsyncMigration {
    var name: String { "013_RemoveDepartmentRowsOfUnassignedCases" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            DELETE FROM \(ident: "case_departments") WHERE \(ident: "case_id") IN
            (SELECT \(ident: "id") FROM \(ident: "cases") WHERE \(ident: "lead_department_code") IS NULL)
            """).run()
    }

    /// The removed rows described nothing that is true of the cases; there is nothing to put back.
    func revert(on database: any Database) async throws {}
}
