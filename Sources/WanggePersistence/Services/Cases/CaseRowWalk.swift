import FluentKit
import FluentSQL
import SQLKit

/// Lists driven by another table's (key, case_id) index: the query's cases joined to the rows of
/// `table` that meet `condition`, newest case first from `before`. The database walks that index from
/// the top, looks each case up by id and checks the list's filters on it, and stops at the page's
/// limit, however many cases the key holds. Text search walks a term's entries this way, a
/// department's list its rows in `case_departments`.
extension QueryBuilder where Model == CaseModel {
    func walking(_ table: String, as alias: String, where condition: SQLQueryString, before: Int?) -> QueryBuilder<CaseModel> {
        let walk = copy()
        let row = SQLIdentifier(alias)
        walk.query.joins.append(.custom(SQLJoin(
            method: SQLJoinMethod.inner, table: SQLAlias(SQLIdentifier(table), as: row),
            expression: SQLQueryString("\(row).\(ident: "case_id") = \(ident: CaseModel.schema).\(ident: "id")"))))
        walk.filter(.sql(embed: condition))
        if let before {
            walk.filter(.sql(embed: "\(row).\(ident: "case_id") < \(bind: before)"))
            // The same bound on the cases: PostgreSQL merge-joins the two indexes and does not carry
            // it across, so a deep page read every case above its cursor (35–85 ms at 100,000 cases).
            walk.filter(.cases("id", .lessThan, .bind(before)))
        }
        return walk.sort(.custom(SQLOrderBy(expression: SQLColumn("case_id", table: alias), direction: SQLDirection.descending)))
    }
}

extension CaseQueryService {
    /// A handler's list with no queue: the cases its department leads or shares. Every department of
    /// a case has a row in `case_departments`, the lead's too (`CaseTransitionService.step` writes them
    /// whenever the departments change), so the list walks those rows newest first. Gathering the
    /// department's rows and walking the cases took 55–120 ms a page at a million cases, and more as
    /// the fresh reports that no department holds yet grew (BENCHMARKS.md).
    func departmentPage(_ query: QueryBuilder<CaseModel>, department: String, before: Int?, limit: Int) async throws -> [CaseSummary] {
        let held = query.walking(CaseDepartmentModel.schema, as: "held",
                                 where: "\(ident: "held").\(ident: "department_code") = \(bind: department)", before: before)
        return try await page(held, limit: limit)
    }
}
