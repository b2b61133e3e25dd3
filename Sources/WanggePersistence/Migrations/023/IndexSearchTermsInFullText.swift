import FluentKit
import SQLKit

/// On SQLite the search index moves from a (term, case) row per term to SQLite's full-text index
/// (`CaseSearchTerms.fullText`, FTS5), which writes each batch of reports' terms as a segment of
/// its own and merges segments later. In the (term, case) index a batch of 400 reports wrote the
/// last page of each of about a thousand terms, pages spread over the whole index: 29 ms a batch at a
/// million cases against 3 ms into the full-text index (BENCHMARKS.md, "The search index in
/// SQLite's full-text index"). PostgreSQL keeps its term rows.
struct IndexSearchTermsInFullText: AsyncMigration {
    var name: String { "023_IndexSearchTermsInFullText" }

    func prepare(on database: any Database) async throws {
        guard CaseSearchTerms.usesFullText(database) else { return }
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw(CaseSearchTerms.createFullText).run()
            try await sql.raw(CaseSearchTerms.automergeOff).run()
            try await sql.raw("""
                INSERT INTO \(ident: CaseSearchTerms.fullText) (rowid, terms) \
                SELECT case_id, group_concat(term, ' ') FROM \(ident: CaseSearchTermModel.schema) GROUP BY case_id
                """).run()
            try await sql.raw(SQLQueryString(CaseSearchTerms.mergeFullTextSQL)).run()
            try await sql.drop(table: CaseSearchTermModel.schema).run()
        }
    }

    /// The term rows again, worked out from every case's text as intake does; the queue is emptied, for
    /// its cases are among them (an older server's indexer would otherwise add them twice).
    func revert(on database: any Database) async throws {
        guard CaseSearchTerms.usesFullText(database) else { return }
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await tx.schema(CaseSearchTermModel.schema)
                .field("id", .int, .identifier(auto: true))
                .field("case_id", .int, .required, .references(CaseModel.schema, "id"))
                .field("term", .string, .required)
                .create()
            var after = 0
            while true {
                let rows = try await sql.select().columns("id", "description", "address").from(CaseModel.schema)
                    .where("id", .greaterThan, after).orderBy("id").limit(1_000).all()
                guard let last = rows.last else { break }
                var values: [BulkValue] = []
                for row in rows {
                    let id = try row.decode(column: "id", as: Int.self)
                    let terms = CaseSearchTerms.terms(description: try row.decode(column: "description", as: String.self),
                                                      address: try row.decode(column: "address", as: String?.self))
                    for term in terms { values += [.int(id), .text(term)] }
                }
                try await FluentRows(db: tx).insert(CaseSearchTerms.termRowInsert, values)
                after = try last.decode(column: "id", as: Int.self)
            }
            try await tx.createIndexes(on: CaseSearchTermModel.schema, [["term", "case_id"]])
            try await sql.delete(from: CaseSearchTerms.queue).run()
            try await sql.drop(table: CaseSearchTerms.fullText).run()
        }
    }
}
