import FluentKit
import FluentSQL
import SQLKit
import WanggeDomain

/// Lists driven by another table's (key, case_id) index: the query's cases joined to the rows of
/// `table` that meet `condition`, newest case first from `before`. The database walks that index from
/// the top, looks each case up by id and checks the list's filters on it, and stops at the page's
/// limit, however many cases the key holds. Text search walks a term's entries this way, a
/// department's list its rows in `case_departments`.
///
/// The key is a walked key (`SQLQueryString.walkedKey`): PostgreSQL walked a department's list the
/// other way round, the newest cases looked up among the department's rows, 2,523 cases for a page at
/// 100,000 (15 ms, against 0.2).
extension CaseListQuery {
    func walking(_ table: String, as alias: String, key: String, equals value: String, also condition: SQLQueryString? = nil,
                 before: Int?) -> CaseListQuery {
        let walk = copy()
        let row = SQLIdentifier(alias)
        walk.query.joins.append(.custom(SQLJoin(
            method: SQLJoinMethod.inner, table: SQLAlias(SQLIdentifier(table), as: row),
            expression: SQLQueryString("\(row).\(quoted: "case_id") = \(quoted: CaseModel.schema).\(quoted: "id")"))))
        walk.filter(.sql(embed: .walkedKey(SQLColumn(key, table: alias), equals: value, on: database)))
        if let condition { walk.filter(.sql(embed: condition)) }
        if let before {
            walk.filter(.sql(embed: "\(row).\(quoted: "case_id") < \(bind: before)"))
            // The same bound on the cases: PostgreSQL merge-joins the two indexes and does not carry
            // it across, so a deep page read every case above its cursor (35–85 ms at 100,000 cases).
            walk.filter(.cases("id", .lessThan, .bind(before)))
        }
        if database.ordersByWalkedKey { walk.sort(.custom(SQLOrderBy(expression: SQLColumn(key, table: alias), direction: SQLDirection.descending))) }
        return walk.sort(.custom(SQLOrderBy(expression: SQLColumn("case_id", table: alias), direction: SQLDirection.descending)))
    }
}

extension CaseQueryService {
    /// A handler's list with no queue: the cases its department leads or shares. Every department of
    /// a case has a row in `case_departments`, the lead's too (`CaseTransitionService.step` writes them
    /// whenever the departments change), so the list walks those rows newest first. Gathering the
    /// department's rows and walking the cases took 55–120 ms a page at a million cases, and more as
    /// the fresh reports that no department holds yet grew (BENCHMARKS.md).
    ///
    /// `sharedOnly`: the co-handling queue walks the shared rows alone, from their own index (migration
    /// 014), and no further back than the oldest case still dispatched or in progress. Gathering the
    /// shared rows for each page took 1.5–2 ms at a million cases, and a page the walk could not fill
    /// (the last one, or a department with few open shares) read the department's whole history of
    /// shared rows, 20 ms for 7,000; a department gathers more each year.
    func departmentPage(_ query: CaseListQuery, department: String, sharedOnly: Bool = false, before: Int?, limit: Int) async throws -> [CaseSummary] {
        let shared: SQLQueryString? = sharedOnly
            ? "\(quoted: "held").\(unsafeRaw: IndexSharedDepartmentRows.shared) AND \(quoted: "held").\(quoted: "case_id") >= (\(Self.oldestCase(in: Self.inHandStates)))"
            : nil
        return try await page(query.walking(CaseDepartmentModel.schema, as: "held", key: "department_code", equals: department, also: shared,
                                            before: before), limit: limit)
    }

    /// The smallest case id in any of `states` (NULL when none is): one end of the (state, id) index
    /// per state, where a MIN over `state IN (…)` would read every case in them.
    static func oldestCase(in states: [CaseState]) -> SQLQueryString {
        let ends = states.map { state -> SQLQueryString in
            "SELECT MIN(\(quoted: "id")) AS \(quoted: "first") FROM \(quoted: CaseModel.schema) WHERE \(quoted: "state") = \(SQLConstant(state.rawValue))"
        }
        return "SELECT MIN(\(quoted: "first")) FROM (\(ends.joined(separator: " UNION ALL "))) AS \(quoted: "ends")"
    }
}
