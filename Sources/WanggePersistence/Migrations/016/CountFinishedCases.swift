import FluentKit
import SQLKit
import WanggeDomain

/// The overview shows how many of the area's cases are in each state. Counting them read every case
/// the area ever had, 936,000 archived index entries of a million-case county (65–130 ms a page), and
/// more each year. The open states stay counted from the cases: they hold the work in hand. The
/// finished ones (`CaseState.isOpen` false) are counted here per org unit and lead department, moved
/// with the open-case gauges in each case's own transaction (`RollupLedger.moveGauges`).
struct CountFinishedCases: AsyncMigration {
    var name: String { "016_CountFinishedCases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FinishedCountModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("dimension", .string, .required)
            .field("unit_code", .string, .required)
            .field("state", .string, .required)
            .field("case_count", .int, .required, .sql(.default(0)))
            .unique(on: "dimension", "unit_code", "state")
            .create()
        try await Self.countExistingCases(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FinishedCountModel.schema).delete()
    }

    /// The finished cases already there, one grouped pass per unit column (a few seconds at a million).
    static func countExistingCases(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let finished = SQLList(CaseState.allCases.filter { !$0.isOpen }.map { SQLBind($0.rawValue) })
        let units: [(RollupDimension, String)] = OrgLevel.allCases.map { (.org, CaseModel.ancestorKey($0).description) }
            + [(.department, "lead_department_code")]
        for (dimension, column) in units {
            try await sql.raw("""
                INSERT INTO \(ident: FinishedCountModel.schema) (\(ident: "dimension"), \(ident: "unit_code"), \(ident: "state"), \(ident: "case_count"))
                SELECT \(bind: dimension.rawValue), \(ident: column), \(ident: "state"), COUNT(*) FROM \(ident: CaseModel.schema)
                WHERE \(ident: column) IS NOT NULL AND \(ident: "state") IN (\(finished)) GROUP BY \(ident: column), \(ident: "state")
                """).run()
        }
    }
}
