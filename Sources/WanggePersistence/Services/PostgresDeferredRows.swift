import FluentKit
import Synchronization

/// A PostgreSQL write transaction's rows, its inserts that return nothing held back and sent together: one
/// statement whose `WITH` clauses insert into the other tables (PostgreSQL runs a data-modifying `WITH` whether
/// or not anything reads it). A report group's cases, events, rollup journal and search-term queue were four
/// statements, each a round trip from the group's task to PostgreSQL's backend and back through the event loop,
/// where HTTP requests queue too; under full intake the two cores stood half idle while each group waited its
/// turn at both ends (BENCHMARKS.md).
///
/// Anything that returns or reads (a `RETURNING` insert, an update, a delete, ids) first sends what is held, so
/// statements take effect in the order they were asked for. Two inserts into one table never share a statement:
/// the clauses of one statement see one snapshot, so a later upsert would not see the earlier insert's row. A
/// held insert's error is thrown by the call that sends it, at the latest by `flush()` before the commit; the
/// transaction fails either way.
final class PostgresDeferredRows: RowSink {
    private let base: FluentRows
    private let held = Mutex<[Held]>([])

    private struct Held: Sendable {
        let insert: BulkInsert
        let json: String
    }

    init(db: any Database) {
        base = FluentRows(db: db)
    }

    func insert(_ insert: BulkInsert, _ values: [BulkValue], returning: [String]) async throws -> [[String: BulkValue]] {
        guard !values.isEmpty else { return [] }
        if returning.isEmpty, values.count <= insert.rowsPerStatement * insert.columns.count,
           let json = PostgresJSONRows.json(values, columns: insert.columns) {
            let sameTable = held.withLock { $0.contains { $0.insert.table == insert.table } }
            if sameTable { try await flush() }
            held.withLock { $0.append(Held(insert: insert, json: json)) }
            return []
        }
        try await flush()
        return try await base.insert(insert, values, returning: returning)
    }

    func update(_ table: String, set columns: [(name: String, value: BulkValue)], where match: [(name: String, value: BulkValue)]) async throws -> Int {
        try await flush()
        return try await base.update(table, set: columns, where: match)
    }

    func delete(from table: String, where column: String, in values: [BulkValue]) async throws -> Int {
        try await flush()
        return try await base.delete(from: table, where: column, in: values)
    }

    func nextIDs(_ table: String, count: Int) async throws -> [Int] {
        try await flush()
        return try await base.nextIDs(table, count: count)
    }

    func totalChanges() async throws -> Int {
        try await flush()
        return try await base.totalChanges()
    }

    /// Sends the held inserts as one statement.
    func flush() async throws {
        let inserts = held.withLock { held in
            defer { held.removeAll() }
            return held
        }
        guard !inserts.isEmpty else { return }
        let text = Self.statement(inserts.map(\.insert))
        guard try await PostgresPreparedReads.rows(text, inserts.map(\.json), fixedText: true, on: base.db) != nil else {
            throw PlainWriteError.unsupported("deferred inserts")
        }
    }

    /// `WITH "w1" AS (INSERT …), … INSERT …`, the n-th insert's rows bound to `$n`.
    static func statement(_ inserts: [BulkInsert]) -> String {
        let parts = inserts.enumerated().map { index, insert in
            PostgresJSONRows.insert(into: insert.table, columns: insert.columns, tail: insert.tail([]), parameter: index + 1)
        }
        guard parts.count > 1 else { return parts[0] }
        let clauses = parts.dropLast().enumerated().map { index, part in "\"w\(index + 1)\" AS (\(part))" }
        return "WITH " + clauses.joined(separator: ", ") + " " + parts[parts.count - 1]
    }
}
