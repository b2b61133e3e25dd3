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
}
