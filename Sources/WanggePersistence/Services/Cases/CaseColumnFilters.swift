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
}
