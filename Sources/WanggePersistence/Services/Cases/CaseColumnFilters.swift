import FluentKit
import FluentSQL
import SQLKit
import WanggeDomain

/// Filters on `cases` by column name. Fluent's key-path filters (`\.$state == …`) and
/// `group { }` build whole `CaseModel`s — 51 property objects each — only to learn a column's
/// name; a queue page built eight of them per request. The queue's common path uses these instead.
extension DatabaseQuery.Filter {
    static func cases(_ column: FieldKey, _ method: DatabaseQuery.Filter.Method, _ value: DatabaseQuery.Value) -> Self {
        .value(.quoted(column, of: CaseModel.schema), method, value)
    }

    static func cases(_ column: FieldKey, in values: [String]) -> Self {
        .cases(column, .subset(inverse: false), .array(values.map { .bind($0) }))
    }

    /// `column = value` for a value fixed by the list's kind (`SQLConstant`): a queue's state.
    static func cases(_ column: FieldKey, constant value: String) -> Self {
        .cases(column, .equal, .custom(SQLConstant(value)))
    }

    /// `column IN (values)` for values fixed by the list's kind (`SQLConstant`): the states in hand.
    static func cases(_ column: FieldKey, constantIn values: [String]) -> Self {
        .cases(column, .subset(inverse: false), .array(values.map { .custom(SQLConstant($0)) }))
    }

    /// `column = value` for a value that a large share of the cases have (a township, a village),
    /// in a list of the newest: walking the cases newest first finds a page soon. SQLite's planner,
    /// whose statistics average over values, took the column's index and sorted every matching case
    /// instead; the unary `+` keeps it off that index. PostgreSQL plans by its own statistics and gets
    /// the plain equality.
    static func casesNewestFirst(_ column: FieldKey, equals value: String, on db: any Database) -> Self {
        guard (db as? any SQLDatabase)?.dialect.name == "sqlite" else { return .cases(column, .equal, .bind(value)) }
        return .sql(embed: "+\(quoted: CaseModel.schema).\(quoted: column.description) = \(bind: value)")
    }

    /// A list of cases in one state, newest first: on PostgreSQL the state is a walked key (`walkedKey`),
    /// and the list orders by (state, id) (`ordersByStateFirst`). The old states (archived, closed) hold
    /// the oldest cases; taking them as spread evenly over the ids, the planner walked the primary key from
    /// the newest case past every newer case of another state: 16 ms a page at 100,000 cases and growing
    /// with the file, against 0.2 ms from the (state, id) index. Other databases, and several states, keep
    /// `state IN (…)`.
    ///
    /// The open states as a whole (a grid worker's page asks for them) are written into the statement on
    /// PostgreSQL (`SQLConstant`); states chosen by hand stay bound: written in, PostgreSQL planned a list of
    /// two of them at every request, or took a plan twenty times slower (BENCHMARKS.md).
    static func casesInStates(_ states: [String], on db: any Database) -> Self {
        if !bindsStates(states) { return .cases("state", constantIn: states) }
        guard states.count == 1, db.ordersByWalkedKey else { return .cases("state", in: states) }
        return .sql(embed: SQLQueryString.walkedKey(SQLColumn("state", table: CaseModel.schema), equals: states[0], on: db))
    }

    /// Whether `casesInStates` binds `states`: all but the open states as a whole.
    static func bindsStates(_ states: [String]) -> Bool {
        states != CaseState.openStates.map(\.rawValue)
    }

    /// Whether a list filtered by `states` orders by state before id (see `casesInStates`).
    static func ordersByStateFirst(_ states: [String], on db: any Database) -> Bool {
        states.count == 1 && db.ordersByWalkedKey
    }
}

extension Database {
    /// Whether a list that walks a (key, id) index must say so in its order (PostgreSQL; see `walkedKey`).
    var ordersByWalkedKey: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }
}

extension SQLQueryString {
    /// `column = value` for a list walked newest first along a (column, id) index. PostgreSQL takes a
    /// bound value for a constant and drops the column from the list's order, and may then take the
    /// order from the cases' primary key instead of that index, walking every newer case to fill a page.
    /// There it is written `column = ANY(array)`, which it does not take for a constant, and the list is
    /// ordered by (column, id) (`Database.ordersByWalkedKey`), which only the walked index gives. (Written
    /// `ANY(ARRAY[$1])` instead, its one value known to the planner, PostgreSQL planned a department's list
    /// and a search afresh at every request at a million cases: 0.28 ms of its CPU a page against 0.06.)
    static func walkedKey(_ column: SQLColumn, equals value: String, on db: any Database) -> SQLQueryString {
        db.ordersByWalkedKey ? "\(column) = ANY(\(bind: [value]))" : "\(column) = \(bind: value)"
    }
}

/// A value fixed by the statement's kind rather than by who asks: a queue's state, the open states.
/// PostgreSQL reads it written into the statement (a literal); other databases bind it, as before.
/// PostgreSQL keeps one plan for a prepared statement once it judges that plan no dearer than one made
/// for the bound values. Bound states are skewed (a few hundred cases in each open state, most
/// `archived`), so a plan for any states looked dearer, and PostgreSQL planned a grid worker's lists
/// afresh at every request: the open cases' 2.5 ms of planning (its fourteen bound states also kept it
/// from being prepared) against 0.1 ms of running it, the cases to verify 0.19 against 0.02. Not every
/// list gains, so only those measured are written in: told the states, PostgreSQL chose worse plans for
/// the co-handling queue, the red and yellow lists and two states chosen by hand, which keep them bound.
/// SQLite plans each statement it prepares anyway, and its plans here were chosen with the bound form.
struct SQLConstant: SQLExpression {
    let value: String

    init(_ value: String) { self.value = value }

    func serialize(to serializer: inout SQLSerializer) {
        if serializer.dialect.name == "postgresql" {
            SQLLiteral.string(value).serialize(to: &serializer)
        } else {
            SQLBind(value).serialize(to: &serializer)
        }
    }
}
