import FluentKit
import FluentSQL
import SQLKit

/// Reads of whole models by one column, as `SELECT *`. Fluent names every column twice in its
/// SELECT list ("cases"."x" AS "cases_x"), and escaping those 51 × 3 identifiers for each read was
/// a fifth of a tracking request. The hot reads (a case by its code or query code, its events and
/// attachments) come here; the models are the same, decoded by column name.
public enum PlainReads {
    public static func first<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable,
                                on db: any Database) async throws -> M? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.select().column(SQLLiteral.all).from(M.schema).where(column, .equal, value).limit(1).first()
            .map { try $0.decode(fluentModel: M.self) }
    }

    public static func all<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable, orderedBy order: String,
                              on db: any Database) async throws -> [M] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.select().column(SQLLiteral.all).from(M.schema).where(column, .equal, value).orderBy(order).all()
            .map { try $0.decode(fluentModel: M.self) }
    }

    /// A query built with Fluent's builder (filters, sorts, limit), reading only `columns` as plain
    /// rows: the queues read 20 cases a page, and Fluent's decoding of whole models was most of it.
    public static func rows<M: Model>(_ builder: QueryBuilder<M>, columns: [String], on db: any Database) async throws -> [any SQLRow] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var query = builder.query
        query.fields = columns.map { .custom(SQLColumn($0)) }
        let select = SQLQueryConverter(delegate: PlainConverterDelegate()).convert(query)
        return try await sql.raw("\(select)").all()
    }
}

/// Reads need no schema types; nested JSON paths keep Fluent's default.
private struct PlainConverterDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
}
