import FluentKit
import FluentSQL
import SQLKit

/// Reads of whole models by one column, as `SELECT *`. Fluent names every column twice in its
/// SELECT list ("cases"."x" AS "cases_x"), and escaping those 51 × 3 identifiers for each read was
/// a fifth of a tracking request. The hot reads (a case by its code or query code, its events and
/// attachments) come here; the models are the same, decoded by column name.
enum PlainReads {
    static func first<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable,
                                on db: any Database) async throws -> M? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.select().column(SQLLiteral.all).from(M.schema).where(column, .equal, value).limit(1).first()
            .map { try $0.decode(fluentModel: M.self) }
    }

    static func all<M: Model>(_ type: M.Type, where column: String, equals value: some Encodable & Sendable, orderedBy order: String,
                              on db: any Database) async throws -> [M] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.select().column(SQLLiteral.all).from(M.schema).where(column, .equal, value).orderBy(order).all()
            .map { try $0.decode(fluentModel: M.self) }
    }
}
