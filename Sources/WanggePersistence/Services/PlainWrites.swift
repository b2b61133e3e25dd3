import FluentKit
import SQLKit

/// Inserts of many new models in one statement, returning what the database assigned. Fluent
/// inserts one row per statement and cannot say which id each row of a multi-row insert got;
/// the intake writes a whole group of reports at once (`IntakeWriter`).
enum PlainWrites {
    /// Inserts `models` as new rows (the database assigns `id`, so any id already set is left out)
    /// and returns `returning` for each row, in no particular order: match them by a unique column.
    /// Models whose set fields differ go in separate statements, so an unset field keeps its default.
    static func insert<M: Model>(_ models: [M], returning: [String], on db: any Database) async throws -> [any SQLRow] {
        guard let sql = db as? any SQLDatabase else { throw PlainWriteError.notSQL }
        var groups: [[String]: [[String: any SQLExpression]]] = [:]
        var order: [[String]] = []
        for model in models {
            let row = try values(of: model)
            let columns = row.keys.sorted()
            if groups[columns] == nil { order.append(columns) }
            groups[columns, default: []].append(row)
        }
        var out: [any SQLRow] = []
        for columns in order {
            let rows = groups[columns] ?? []
            // SQLite binds at most 32,766 values per statement, PostgreSQL 65,535.
            let perStatement = max(1, 30_000 / max(1, columns.count))
            var start = 0
            while start < rows.count {
                let insert = sql.insert(into: M.schema).columns(columns)
                for row in rows[start..<min(start + perStatement, rows.count)] {
                    insert.values(columns.map { row[$0]! })
                }
                out += try await insert.returning(returning.map { SQLColumn($0) }).all()
                start += perStatement
            }
        }
        return out
    }

    /// The fields a model has set, as SQL values, the way Fluent's own insert binds them.
    private static func values(of model: some Model) throws -> [String: any SQLExpression] {
        let input = Collected()
        model.input(to: input)
        var row: [String: any SQLExpression] = [:]
        for (key, value) in input.storage where key != .id {
            switch value {
            case .bind(let encodable): row[key.description] = SQLBind(encodable)
            case .null: row[key.description] = SQLLiteral.null
            case .enumCase(let name): row[key.description] = SQLLiteral.string(name)
            case .default, .dictionary, .array, .custom: throw PlainWriteError.unsupported(key.description)
            }
        }
        return row
    }
}

enum PlainWriteError: Error, CustomStringConvertible {
    case notSQL
    case unsupported(String)

    var description: String {
        switch self {
        case .notSQL: "plain writes need an SQL database"
        case .unsupported(let column): "plain writes cannot insert the value of \(column)"
        }
    }
}

private final class Collected: DatabaseInput {
    var storage: [FieldKey: DatabaseQuery.Value] = [:]
    func set(_ value: DatabaseQuery.Value, at key: FieldKey) { storage[key] = value }
}
