import FluentKit
import FluentSQL
import Synchronization

/// A read of the cases table as Fluent's `DatabaseQuery`, built without Fluent's `QueryBuilder`:
/// `CaseModel.query(on:)` makes two `CaseModel`s (51 property wrappers each) to learn the id's key,
/// `copy()` and `group` two more each, and every key-path filter one, a tenth of a queue page's CPU.
/// Filters name their columns (`DatabaseQuery.Filter.cases`). A class, as the builder is: the
/// department's walk and the text search extend a copy in place.
public final class CaseListQuery {
    public var query: DatabaseQuery
    public let database: any Database
    /// On PostgreSQL, planned for its values at every read rather than prepared once per connection, where
    /// PostgreSQL keeps one plan for any values after five reads: a read whose best plan turns on a bound
    /// value's share of the cases (`PlainReads.decoded`). Its planning costs a read about 1 ms of PostgreSQL's CPU.
    public var plannedForItsValues = false

    public init(on database: any Database) {
        self.query = Self.blank(on: database)
        self.database = database
    }

    private init(query: DatabaseQuery, database: any Database, plannedForItsValues: Bool) {
        (self.query, self.database, self.plannedForItsValues) = (query, database, plannedForItsValues)
    }

    public func copy() -> CaseListQuery { CaseListQuery(query: query, database: database, plannedForItsValues: plannedForItsValues) }

    @discardableResult public func filter(_ filter: DatabaseQuery.Filter) -> Self {
        query.filters.append(filter)
        return self
    }

    /// `column method value`, e.g. `filter("lead_department_code", .equal, department)`.
    @discardableResult public func filter(_ column: FieldKey, _ method: DatabaseQuery.Filter.Method, _ value: some Encodable & Sendable) -> Self {
        filter(.cases(column, method, .bind(value)))
    }

    /// `column IN (values)`.
    @discardableResult public func filter(_ column: FieldKey, in values: [String]) -> Self {
        filter(.cases(column, in: values))
    }

    /// `column = value` for a value fixed by the list's kind, a queue's state (`SQLConstant`).
    @discardableResult public func filter(_ column: FieldKey, constant value: String) -> Self {
        filter(.cases(column, constant: value))
    }

    /// `column IN (values)` for values fixed by the list's kind, the states in hand (`SQLConstant`).
    @discardableResult public func filter(_ column: FieldKey, constantIn values: [String]) -> Self {
        filter(.cases(column, constantIn: values))
    }

    /// `column NOT IN (values)`.
    @discardableResult public func filter(_ column: FieldKey, notIn values: [String]) -> Self {
        filter(.cases(column, .subset(inverse: true), .array(values.map { .bind($0) })))
    }

    @discardableResult public func sort(_ sort: DatabaseQuery.Sort) -> Self {
        query.sorts.append(sort)
        return self
    }

    @discardableResult public func sort(_ column: FieldKey, _ direction: DatabaseQuery.Sort.Direction) -> Self {
        sort(.sort(.quoted(column, of: CaseModel.schema), direction))
    }

    @discardableResult public func limit(_ count: Int) -> Self {
        query.limits.append(.count(count))
        return self
    }

    /// `DatabaseQuery`'s initializer is FluentKit's own: the first query made through the builder is kept
    /// as the blank one (the cases' schema, no filters), for every later list.
    private static func blank(on database: any Database) -> DatabaseQuery {
        if let kept = blankQuery.withLock({ $0 }) { return kept }
        let made = CaseModel.query(on: database).query
        blankQuery.withLock { $0 = made }
        return made
    }

    private static let blankQuery = Mutex<DatabaseQuery?>(nil)
}
