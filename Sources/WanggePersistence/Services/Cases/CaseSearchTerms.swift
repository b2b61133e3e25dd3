import FluentKit
import SQLKit

/// The search index rows of one case (its description's two-character terms, `SearchTerms`).
enum CaseSearchTerms {
    /// One INSERT for all of a report's terms, in plain SQL: through Fluent each row was a model
    /// whose properties Fluent found by reflection, a tenth of an intake's time.
    static func insert(_ terms: some Collection<String>, caseID: Int, on db: any Database) async throws {
        guard !terms.isEmpty, let sql = db as? any SQLDatabase else { return }
        var query = SQLQueryString("INSERT INTO \(unsafeRaw: CaseSearchTermModel.schema) (case_id, term) VALUES ")
        for (i, term) in terms.enumerated() {
            query.appendLiteral(i == 0 ? "(" : ", (")
            query.appendInterpolation(bind: caseID)
            query.appendLiteral(", ")
            query.appendInterpolation(bind: term)
            query.appendLiteral(")")
        }
        try await sql.raw(query).run()
    }
}
