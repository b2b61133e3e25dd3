import FluentKit
import FluentSQL

/// Filters on `cases` by column name. Fluent's key-path filters (`\.$state == …`) and
/// `group { }` build whole `CaseModel`s — 51 property objects each — only to learn a column's
/// name; a queue page built eight of them per request. The queue's common path uses these instead.
extension DatabaseQuery.Filter {
    static func cases(_ column: FieldKey, _ method: DatabaseQuery.Filter.Method, _ value: DatabaseQuery.Value) -> Self {
        .value(.path([column], schema: CaseModel.schema), method, value)
    }

    static func cases(_ column: FieldKey, in values: [String]) -> Self {
        .cases(column, .subset(inverse: false), .array(values.map { .bind($0) }))
    }

    /// `column = value` for a value that a large share of the cases have (a township, a village),
    /// in a list of the newest: walking the cases newest first finds a page soon. SQLite's planner,
    /// whose statistics average over values, took the column's index and sorted every matching case
    /// instead; the unary `+` keeps it off that index. PostgreSQL plans by its own statistics and gets
    /// the plain equality.
    static func casesNewestFirst(_ column: FieldKey, equals value: String, on db: any Database) -> Self {
        guard (db as? any SQLDatabase)?.dialect.name == "sqlite" else { return .cases(column, .equal, .bind(value)) }
        return .sql(embed: "+\(ident: CaseModel.schema).\(ident: column.description) = \(bind: value)")
    }

    /// A list of cases in one state, newest first, on PostgreSQL. The old states (archived, closed)
    /// hold the oldest cases, but the planner, taking them as spread evenly over the ids, walked the
    /// primary key from the newest case and passed every newer case of another state: 16 ms a page at
    /// 100,000 cases and growing with the file. Written `state = ANY(array)`, which the planner does not
    /// take for a constant, the list can order by (state, id) and walk that index from the state's
    /// newest case (0.2 ms). Other databases, and several states, keep `state IN (…)`.
    static func casesInStates(_ states: [String], on db: any Database) -> Self {
        guard states.count == 1, (db as? any SQLDatabase)?.dialect.name == "postgresql" else { return .cases("state", in: states) }
        return .sql(embed: "\(ident: CaseModel.schema).\(ident: "state") = ANY(\(bind: states))")
    }

    /// Whether a list filtered by `states` orders by state before id (see `casesInStates`).
    static func ordersByStateFirst(_ states: [String], on db: any Database) -> Bool {
        states.count == 1 && (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }
}
