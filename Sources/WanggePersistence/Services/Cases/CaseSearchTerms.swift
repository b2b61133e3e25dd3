import FluentKit
import SQLKit

/// The search index rows of cases (their descriptions' two-character terms, `SearchTerms`).
enum CaseSearchTerms {
    /// Multi-row INSERTs in plain SQL: through Fluent each row was a model whose properties Fluent
    /// found by reflection, a tenth of an intake's time. One statement holds many cases' terms, up
    /// to the databases' limit on bound values.
    static func insert(_ cases: [(caseID: Int, terms: [String])], on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let rows = cases.flatMap { item in item.terms.map { (item.caseID, $0) } }
        let perStatement = 15_000
        var start = 0
        while start < rows.count {
            var query = SQLQueryString("INSERT INTO \(unsafeRaw: CaseSearchTermModel.schema) (case_id, term) VALUES ")
            for (i, (caseID, term)) in rows[start..<min(start + perStatement, rows.count)].enumerated() {
                query.appendLiteral(i == 0 ? "(" : ", (")
                query.appendInterpolation(bind: caseID)
                query.appendLiteral(", ")
                query.appendInterpolation(bind: term)
                query.appendLiteral(")")
            }
            try await sql.raw(query).run()
            start += perStatement
        }
    }
}
