import FluentKit
import PostgresKit
import SQLKit

/// Where a write transaction's rows go: SQLKit on the transaction's connection (`FluentRows`:
/// PostgreSQL, and SQLite outside a web request), or SQLite's C API on the writer thread
/// (`SQLiteWriteConnection`). The intake writes a group of reports through it; each statement is
/// written once, for both.
public protocol RowSink: Sendable {
    /// Inserts rows given as one flat array, or upserts them when `insert` has a conflict clause,
    /// and returns the `returning` columns of each row, in no particular order: match them by a
    /// unique column.
    func insert(_ insert: BulkInsert, _ values: [BulkValue], returning: [String]) async throws -> [[String: BulkValue]]
    /// Sets `columns` of the rows whose `match` columns hold the given values; returns how many rows
    /// it changed (0 when none matched: a version claim that lost).
    func update(_ table: String, set columns: [(name: String, value: BulkValue)], where match: [(name: String, value: BulkValue)]) async throws -> Int
    /// Deletes the rows whose `column` holds one of `values`; returns how many it deleted (fewer than
    /// asked when another transaction deleted some first: PostgreSQL waits for it, then skips them).
    @discardableResult
    func delete(from table: String, where column: String, in values: [BulkValue]) async throws -> Int
    /// `count` ids for new rows of `table` (its `id` column), ascending, that no other row has or will
    /// get: a row written with its id known can be written whole, where one whose id the insert
    /// assigns must be updated once something that covers its id is known (a case's event hashes).
    func nextIDs(_ table: String, count: Int) async throws -> [Int]
    /// SQLite only: the rows this connection has inserted, updated or deleted since it opened, with
    /// those a virtual table writes into its own tables (the search index's merges, `SearchTermIndexer`).
    func totalChanges() async throws -> Int
}

extension RowSink {
    /// SQLite's next ids as it would give them itself (the tables' ids are `INTEGER PRIMARY KEY`, without
    /// `AUTOINCREMENT`): after the highest a row has. Safe in a write transaction only (the writer's
    /// `BEGIN IMMEDIATE`, or Fluent's behind the process's write gate), where no other connection inserts
    /// until the commit.
    static func sqliteLastID(of table: String) -> String {
        "SELECT COALESCE(MAX(\"id\"), 0) AS last FROM \"\(table)\""
    }

    /// Inserts rows given as one flat array (`insert.columns.count` values per row).
    public func insert(_ insert: BulkInsert, _ values: [BulkValue]) async throws {
        _ = try await self.insert(insert, values, returning: [])
    }
}

/// Rows written through Fluent's connection, in multi-row statements (one round trip each).
struct FluentRows: RowSink {
    let db: any Database

    func insert(_ insert: BulkInsert, _ values: [BulkValue], returning: [String]) async throws -> [[String: BulkValue]] {
        try await insert.run(values, returning: returning, on: db)
    }

    func update(_ table: String, set columns: [(name: String, value: BulkValue)], where match: [(name: String, value: BulkValue)]) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw PlainWriteError.notSQL }
        if db is any PostgresDatabase, let changed = try await Self.preparedUpdate(table, set: columns, where: match, on: db) { return changed }
        var query = SQLQueryString("UPDATE \"\(unsafeRaw: table)\" SET ")
        for (index, column) in columns.enumerated() {
            query.appendLiteral("\(index == 0 ? "" : ", ")\"\(column.name)\" = ")
            query.appendInterpolation(column.value.expression)
        }
        for (index, column) in match.enumerated() {
            query.appendLiteral("\(index == 0 ? " WHERE" : " AND") \"\(column.name)\" = ")
            query.appendInterpolation(column.value.expression)
        }
        // SQLKit reports no count of changed rows on PostgreSQL: each changed row returns a 1.
        query.appendLiteral(" RETURNING 1")
        return try await sql.raw(query).all().count
    }

    /// On PostgreSQL a prepared statement per table and set of columns (each transition's update of its case
    /// was parsed and planned afresh); a NULL goes in the text, so that every bind has a type.
    private static func preparedUpdate(_ table: String, set columns: [(name: String, value: BulkValue)],
                                       where match: [(name: String, value: BulkValue)], on db: any Database) async throws -> Int? {
        var binds: [any Encodable & Sendable] = []
        func term(_ column: (name: String, value: BulkValue)) -> String {
            guard let bind = column.value.plainBind else { return "\"\(column.name)\" = NULL" }
            binds.append(bind)
            return "\"\(column.name)\" = $\(binds.count)"
        }
        let sets = columns.map(term).joined(separator: ", ")
        guard !match.contains(where: { $0.value == .null }) else { return nil }
        let conditions = match.map(term).joined(separator: " AND ")
        // Each changed row returns a 1: the count of rows changed.
        let text = "UPDATE \"\(table)\" SET \(sets) WHERE \(conditions) RETURNING 1"
        return try await PostgresPreparedReads.rows(text, binds, fixedText: true, on: db)?.count
    }

    func delete(from table: String, where column: String, in values: [BulkValue]) async throws -> Int {
        guard !values.isEmpty else { return 0 }
        guard let sql = db as? any SQLDatabase else { throw PlainWriteError.notSQL }
        var query = SQLQueryString("DELETE FROM \"\(unsafeRaw: table)\" WHERE \"\(unsafeRaw: column)\" IN (")
        query.appendList(values)
        query.appendLiteral(") RETURNING \"\(column)\"")
        return try await sql.raw(query).all().count
    }

    func totalChanges() async throws -> Int {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { throw PlainWriteError.unsupported("total_changes") }
        return try await sql.raw("SELECT total_changes() AS n").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// PostgreSQL draws them from the column's sequence, which no two transactions share a value of.
    func nextIDs(_ table: String, count: Int) async throws -> [Int] {
        guard count > 0 else { return [] }
        guard let sql = db as? any SQLDatabase else { throw PlainWriteError.notSQL }
        if sql.dialect.name == "sqlite" {
            let last = try await sql.raw(SQLQueryString("\(unsafeRaw: Self.sqliteLastID(of: table))")).first()?.decode(column: "last", as: Int.self) ?? 0
            return Array(last + 1...last + count)
        }
        let text = "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)"
        guard let rows = try await PostgresPreparedReads.rows(text, [table, count], on: db) else { throw PlainWriteError.notSQL }
        return try rows.map { try $0.decode(column: "id", as: Int.self) }
    }
}

extension Database {
    /// Runs `body` as one write transaction whose rows go through a `RowSink`. In a web request on
    /// SQLite that is the request's `SQLiteWriteConnection`, under the process's write gate and on
    /// the writer thread, with no thread hop between statements; otherwise `writeTransaction`, on
    /// PostgreSQL with its inserts that return nothing held and sent together (`PostgresDeferredRows`),
    /// the last of them before the commit.
    public func writeRows<T: Sendable>(_ body: @escaping @Sendable (any RowSink) async throws -> T) async throws -> T {
        guard let direct = SQLiteWriteConnection.current, !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await writeTransaction { tx in
                guard tx is any PostgresDatabase else { return try await body(FluentRows(db: tx)) }
                let rows = PostgresDeferredRows(db: tx)
                let result = try await body(rows)
                try await rows.flush()
                return result
            }
        }
        return try await direct.perform { direct in
            try await SQLiteWriteGate.shared.run { try await direct.transaction(body) }
        }
    }

    /// Queued work read outside a transaction, taken exactly once: deletes the rows of `table` whose `key`
    /// holds one of `keys` and writes what `body` writes, in one transaction. False, and nothing written,
    /// when another transaction deleted any of those rows first (another instance on PostgreSQL, or a
    /// reader folding the rollup journal); the caller reads again. The rollup journal's folds and the
    /// search terms' batches take their rows so.
    public func writeRows(taking keys: [BulkValue], from table: String, by key: String,
                          _ body: @escaping @Sendable (any RowSink) async throws -> Void) async throws -> Bool {
        do {
            try await writeRows { rows in
                guard try await rows.delete(from: table, where: key, in: keys) == keys.count else { throw TakenByAnother() }
                try await body(rows)
            }
            return true
        } catch is TakenByAnother {
            return false
        }
    }
}

/// Another transaction deleted some of the rows a `writeRows(taking:…)` was to take.
private struct TakenByAnother: Error {}
