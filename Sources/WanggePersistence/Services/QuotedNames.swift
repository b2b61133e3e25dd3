import FluentKit
import SQLKit

// Names of the code's own tables and columns written into statements as text. SQLKit writes an `SQLIdentifier` by
// escaping its quotes through a generic `replacing`, slow enough to matter where a page's lists name a dozen: the
// grid worker's page wrote its statements for a fifth of its time (BENCHMARKS.md, "The overview's map from an
// index of the open cases"). User input never goes here: it is bound.
extension DatabaseQuery.Field {
    /// `"table"."column"` written as text. Fluent's path for it became two `SQLIdentifier`s, each escaped through a
    /// generic `replacing` when written: 8% of the grid worker's page, whose lists have a dozen filters and sorts.
    /// The names are the code's own, and both dialects quote identifiers with `"`.
    static func quoted(_ column: FieldKey, of table: String) -> Self {
        .custom(SQLRaw("\"\(table)\".\"\(column.description)\""))
    }
}

extension SQLQueryString.StringInterpolation {
    /// A table's or column's name, one of the code's own, quoted as both dialects quote (`"name"`) and written as text:
    /// `\(ident:)` escapes each name through a generic `replacing` when the statement is written, and a list's
    /// statements name a dozen.
    mutating func appendInterpolation(quoted name: String) {
        assert(!name.contains("\""), "a name of the code's own")
        appendInterpolation(unsafeRaw: "\"" + name + "\"")
    }

    /// Names of the code's own as a list, `"a", "b"`, quoted as above.
    mutating func appendInterpolation(quoted names: [String]) {
        assert(!names.contains { $0.contains("\"") }, "names of the code's own")
        appendInterpolation(unsafeRaw: names.map { "\"" + $0 + "\"" }.joined(separator: ", "))
    }
}
