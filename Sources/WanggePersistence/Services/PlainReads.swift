import FluentKit
import FluentSQL
import PostgresKit
import SQLiteNIO
import SQLKit
import Synchronization

/// Reads of whole models by one column, as `SELECT *`. Fluent names every column twice in its
/// SELECT list ("cases"."x" AS "cases_x"), and escaping those 51 × 3 identifiers for each read was
/// a fifth of a tracking request. The hot reads (a case by its code or query code, its events and
/// attachments, a session, a queue page) come here; the models are the same, decoded by column
/// name. On SQLite, within a web request and outside a write transaction, they run on
/// `SQLiteDirectReader`; on PostgreSQL as prepared statements (`PostgresPreparedReads`); everywhere else
/// through SQLKit.
public enum PlainReads {
    public static func first<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable,
                                on db: any Database) async throws -> M? {
        try await select(M.self, where: column, equals: value, orderedBy: nil, limit: 1, on: db).first
    }

    /// The first model's row where `column` equals `value`, with each of `related` as a column of its own
    /// beside the model's: decode the model with `decode(fluentModel:)` and the aggregates by their aliases.
    public static func firstRow<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable,
                                          counting related: [RelatedCount], on db: any Database) async throws -> (any SQLRow)? {
        try await rows(modelSelect(M.self, where: column, orderedBy: nil, limit: 1, counting: related, named: db is any PostgresDatabase),
                       equals: value, on: db).first
    }

    public static func all<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable, orderedBy order: String,
                              on db: any Database) async throws -> [M] {
        try await select(M.self, where: column, equals: value, orderedBy: order, limit: nil, on: db)
    }

    private static func select<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable, orderedBy order: String?,
                                         limit: Int?, on db: any Database) async throws -> [M] {
        let select = modelSelect(M.self, where: column, orderedBy: order, limit: limit, counting: [], named: db is any PostgresDatabase)
        return try await rows(select, equals: value, on: db).map { try $0.decode(fluentModel: M.self) }
    }

    /// A model's read on PostgreSQL names its fields' columns rather than `*` (`named`), so that it can stay
    /// prepared (`PostgresPreparedReads` leaves `*` unnamed) and its rows come decoded from PostgresNIO's cells: a
    /// transition's read of its case went unnamed and through PostgresKit's generic decoding. SQLite keeps
    /// `SELECT *`: its direct reader keeps statements by their text, and a short one is cheaper to find. Each
    /// read's text is made once per process.
    private static func modelSelect<M: Model>(_ type: M.Type, where column: String, orderedBy order: String?, limit: Int?,
                                              counting related: [RelatedCount], named: Bool) -> SelectWhere {
        let key = "\(M.schema)|\(column)|\(order ?? "")|\(limit.map(String.init) ?? "")|\(related.map(\.alias).joined(separator: ","))|\(named)"
        if let known = modelSelects.withLock({ $0[key] }) { return known }
        let columns = named ? M().properties.flatMap { ($0 as? any AnyDatabaseProperty)?.keys.map(\.description) ?? [] } : nil
        let select = SelectWhere(columns, from: M.schema, where: column, orderedBy: order, limit: limit, counting: related)
        modelSelects.withLock { $0[key] = select }
        return select
    }

    private static let modelSelects = Mutex<[String: SelectWhere]>([:])

    /// How many rows of another table refer to each row read (`table.foreignKey = id`), or another
    /// `aggregate` of them, read in the same statement as column `alias`: a case page skips reading its
    /// photos when it has none, and a transition reads its case's last event number with the case.
    public struct RelatedCount: Sendable {
        public let table: String
        public let foreignKey: String
        public let alias: String
        public let aggregate: String

        public init(_ table: String, by foreignKey: String, as alias: String, aggregate: String = "count(*)") {
            (self.table, self.foreignKey, self.alias, self.aggregate) = (table, foreignKey, alias, aggregate)
        }

        func expression(readingFrom outer: String) -> String {
            "(SELECT \(aggregate) FROM \"\(table)\" WHERE \"\(table)\".\"\(foreignKey)\" = \"\(outer)\".\"id\") AS \"\(alias)\""
        }
    }

    /// `SELECT * (or the columns) FROM table WHERE column = ? [ORDER BY order] [LIMIT limit]`, with its
    /// SQLite text written once: a read made on every request keeps one in a `static let` (building the
    /// text of a case page's 33 columns each time was 1.4% of the page).
    public struct SelectWhere: Sendable {
        let columns: [String]?
        let table: String
        let column: String
        let order: String?
        let limit: Int?
        let related: [RelatedCount]
        /// The statement SQLKit writes in `rows(_:equals:on:)` for SQLite and for PostgreSQL, without serializing
        /// it for every read.
        let sqliteText: String
        let postgresText: String

        public init(_ columns: [String]? = nil, from table: String, where column: String, orderedBy order: String?, limit: Int? = nil,
                    counting related: RelatedCount...) {
            self.init(columns, from: table, where: column, orderedBy: order, limit: limit, counting: related)
        }

        init(_ columns: [String]?, from table: String, where column: String, orderedBy order: String?, limit: Int?,
             counting related: [RelatedCount]) {
            (self.columns, self.table, self.column, self.order, self.limit, self.related) = (columns, table, column, order, limit, related)
            var list = columns.map { $0.map { "\"\($0)\"" }.joined(separator: ", ") } ?? "*"
            for aggregate in related { list += ", " + aggregate.expression(readingFrom: table) }
            var tail = ""
            if let order { tail += " ORDER BY \"\(order)\" ASC" }
            if let limit { tail += " LIMIT \(limit)" }
            let head = "SELECT \(list) FROM \"\(table)\" WHERE \"\(column)\" = "
            (sqliteText, postgresText) = (head + "?1" + tail, head + "$1" + tail)
        }
    }

    /// The rows `select` reads where its column equals `value`, as plain rows.
    public static func rows(_ select: SelectWhere, equals value: some Encodable & Sendable, on db: any Database) async throws -> [any SQLRow] {
        if let reader = directReader(for: db) {
            return try reader.rows(select.sqliteText, try SQLiteDirectReader.data([value]))
        }
        if let rows = try await PostgresPreparedReads.rows(select.postgresText, [value], on: db) { return rows }
        guard let sql = db as? any SQLDatabase else { return [] }
        var builder = sql.select().from(select.table).where(select.column, .equal, value)
        if let columns = select.columns { builder = builder.columns(columns) } else { builder = builder.column(SQLLiteral.all) }
        for related in select.related { builder = builder.column(SQLRaw(related.expression(readingFrom: select.table))) }
        if let order = select.order { builder = builder.orderBy(order) }
        if let limit = select.limit { builder = builder.limit(limit) }
        return try await builder.all()
    }

    /// A query built with Fluent's builder (filters, sorts, limit), reading only `columns` as plain
    /// rows: the queues read 20 cases a page, and Fluent's decoding of whole models was most of it.
    public static func rows<M: Model>(_ builder: QueryBuilder<M>, columns: [String], on db: any Database) async throws -> [any SQLRow] {
        try await rows(builder.query, of: M.schemaOrAlias, columns: columns, on: db)
    }

    /// A list of cases (`CaseListQuery`), as the builder's above.
    public static func rows(_ list: CaseListQuery, columns: [String], on db: any Database) async throws -> [any SQLRow] {
        try await rows(list.query, of: CaseModel.schema, columns: columns, on: db)
    }

    /// A query built with Fluent's builder reading `columns`, each row made into a `T` by position (the columns' order).
    public static func decoded<M: Model, T: PositionallyDecodable>(_ builder: QueryBuilder<M>, columns: [String], as type: T.Type,
                                                                   on db: any Database) async throws -> [T] {
        try await decoded(statement(builder.query, of: M.schemaOrAlias, columns: columns), columns: columns, as: T.self, on: db)
    }

    /// A query built with Fluent's builder reading `select`, the statement's own text for its columns (a joined table's
    /// among them, each named as in `columns`), each row made into a `T` by position.
    public static func decoded<M: Model, T: PositionallyDecodable>(_ builder: QueryBuilder<M>, select: String, columns: [String],
                                                                   as type: T.Type, on db: any Database) async throws -> [T] {
        try await decoded(statement(builder.query, fields: select), columns: columns, as: T.self, on: db)
    }

    /// A list of cases reading `columns`, each row made into a `T` by position (the columns' order).
    public static func decoded<T: PositionallyDecodable>(_ list: CaseListQuery, columns: [String], as type: T.Type,
                                                         on db: any Database) async throws -> [T] {
        try await decoded(statement(list.query, of: CaseModel.schema, columns: columns), columns: columns, as: T.self,
                          plannedForItsValues: list.plannedForItsValues, on: db)
    }

    /// A list of cases reading `select`, the statement's own text for its columns (an expression among them, named as in
    /// `columns`), each row made into a `T` by position.
    public static func decoded<T: PositionallyDecodable>(_ list: CaseListQuery, select: String, columns: [String], as type: T.Type,
                                                         on db: any Database) async throws -> [T] {
        try await decoded(statement(list.query, fields: select), columns: columns, as: T.self, on: db)
    }

    /// `columns` of `table` as a select list's text, each qualified by its table.
    public static func qualified(_ columns: [String], of table: String) -> String {
        columns.map { "\"\(table)\".\"\($0)\"" }.joined(separator: ", ")
    }

    private static func rows(_ query: DatabaseQuery, of table: String, columns: [String], on db: any Database) async throws -> [any SQLRow] {
        try await rows(statement(query, of: table, columns: columns), on: db)
    }

    private static func statement(_ query: DatabaseQuery, of table: String, columns: [String]) -> any SQLExpression {
        // Qualified: a query may join another table with columns of the same names (text search). Written
        // as one text: each `SQLColumn` escaped its two identifiers through a generic `replacing`, a seventh
        // of a queue page's CPU for its 15 columns. The names are the code's own, and both dialects quote with `"`.
        statement(query, fields: qualified(columns, of: table))
    }

    private static func statement(_ query: DatabaseQuery, fields: String) -> any SQLExpression {
        var query = query
        query.fields = [.custom(SQLRaw(fields))]
        return SQLQueryConverter(delegate: PlainConverterDelegate()).convert(query)
    }

    /// A read statement naming `columns` in order, each row made into a `T` by position: on SQLite's direct reader
    /// straight from the statement (rows of values decoded by name were two fifths of the overview's CPU with its 3,516
    /// map points), on PostgreSQL from each prepared row's cells in order, elsewhere from the plain rows by the
    /// columns' names.
    /// `plannedForItsValues`: on PostgreSQL planned for the values at each read instead of prepared (`CaseListQuery`).
    public static func decoded<T: PositionallyDecodable>(_ statement: some SQLExpression, columns: [String], as type: T.Type,
                                                         plannedForItsValues: Bool = false, on db: any Database) async throws -> [T] {
        guard let sql = db as? any SQLDatabase else { return [] }
        if let reader = directReader(for: db) {
            let (text, binds) = sql.serialize(statement)
            return try reader.decoded(text, try SQLiteDirectReader.data(binds), as: T.self)
        }
        if sql.dialect.name == "postgresql" {
            let (text, binds) = sql.serialize(statement)
            if let decoded = try await PostgresPreparedReads.decoded(text, binds, as: T.self, forItsValues: plannedForItsValues, on: db) {
                return decoded
            }
        }
        // Neither path took it (SQLite inside a transaction, a statement PostgreSQL does not prepare): `rows(_:on:)` would
        // only serialize it and try both again.
        return try await sql.raw("\(statement)").all().map { try T(positions: NamedPositions(row: $0, names: columns)) }
    }

    /// Any read statement: directly on SQLite when a request has bound the reader and no
    /// transaction is open on `db`, otherwise through `db`.
    public static func rows(_ statement: some SQLExpression, on db: any Database) async throws -> [any SQLRow] {
        guard let sql = db as? any SQLDatabase else { return [] }
        if let reader = directReader(for: db) {
            let (text, binds) = sql.serialize(statement)
            return try reader.rows(text, try SQLiteDirectReader.data(binds))
        }
        if sql.dialect.name == "postgresql" {
            let (text, binds) = sql.serialize(statement)
            if let rows = try await PostgresPreparedReads.rows(text, binds, on: db) { return rows }
        }
        return try await sql.raw("\(statement)").all()
    }

    /// Only the SQLite application binds a reader (`SQLiteWriterMiddleware`), and there every handle reads its one
    /// file: asking `db` for its dialect as well built a wrapper and cast `db` on every read (1.4% of a case page's samples).
    private static func directReader(for db: any Database) -> SQLiteDirectReader? {
        guard let reader = SQLiteDirectReader.current, !db.inTransaction else { return nil }
        return reader
    }
}

/// Reads need no schema types; nested JSON paths keep Fluent's default.
private struct PlainConverterDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
}


extension SQLRow {
    /// A row's `code` and `name` columns: how units, departments and categories are listed and named.
    public func codeAndName() throws -> (code: String, name: String) {
        (try decode(column: "code", as: String.self), try decode(column: "name", as: String.self))
    }
}
