import FluentKit
import Foundation

/// Inserts of many new models in one statement, returning what the database assigned. Fluent
/// inserts one row per statement and cannot say which id each row of a multi-row insert got;
/// the intake writes a whole group of reports at once (`IntakeWriter`): their cases and events
/// from plain rows (`NewCaseRow`, `EventContent`), their photos from models.
enum PlainWrites {
    /// Inserts `models` as new rows (the database assigns `id`, so any id already set is left out)
    /// and returns `returning` for each row, in no particular order: match them by a unique column.
    /// Models whose set fields differ go in separate statements, so an unset field keeps its default.
    static func insert<M: Model>(_ models: [M], returning: [String] = [], into rows: any RowSink) async throws -> [[String: BulkValue]] {
        try await insert(models.map(values(of:)), table: M.schema, returning: returning, into: rows)
    }

    /// Inserts rows written column by column (`NewCaseRow.columns`, `EventContent.columns`): one statement.
    static func insert(_ rows: FlatRows, table: String, returning: [String], into sink: any RowSink) async throws -> [[String: BulkValue]] {
        guard rows.count > 0 else { return [] }
        guard rows.isRectangular else { throw PlainWriteError.unsupported("rows of \(table) with differing columns") }
        return try await sink.insert(BulkInsert(table: table, columns: rows.columns), rows.values, returning: returning)
    }

    /// Inserts rows that each name every column, in one order: one statement, the columns taken from the first row.
    static func insert(_ rows: [[(name: String, value: BulkValue)]], table: String, returning: [String], into sink: any RowSink) async throws
        -> [[String: BulkValue]] {
        guard let first = rows.first else { return [] }
        return try await sink.insert(BulkInsert(table: table, columns: first.map(\.name)), rows.flatMap { $0.map(\.value) }, returning: returning)
    }

    private static func insert(_ rowValues: [[String: BulkValue]], table: String, returning: [String], into rows: any RowSink) async throws
        -> [[String: BulkValue]] {
        var groups: [[String]: [BulkValue]] = [:]
        var order: [[String]] = []
        for row in rowValues {
            let columns = row.keys.sorted()
            if groups[columns] == nil { order.append(columns) }
            groups[columns, default: []].append(contentsOf: columns.map { row[$0]! })
        }
        var out: [[String: BulkValue]] = []
        for columns in order {
            out += try await rows.insert(BulkInsert(table: table, columns: columns), groups[columns] ?? [], returning: returning)
        }
        return out
    }

    /// The fields a model has set, as plain values: SQLite gets them bound directly, without
    /// SQLKit's per-value `Encodable` round trip (most of the time a group's cases took).
    static func values(of model: some Model) throws -> [String: BulkValue] {
        let input = Collected()
        model.input(to: input)
        var row: [String: BulkValue] = [:]
        for (key, value) in input.storage where key != .id {
            row[key.description] = try plain(value, column: key.description)
        }
        return row
    }

    #if DEBUG
    /// The columns of a loaded model to which `change` gives a new value, as plain values sorted by
    /// name (so a set of columns always makes the same statement): what an UPDATE must write. Fluent's save writes every field that was set, also
    /// to the value it had, and so rewrites the entries of every index on it.
    /// Compiled only into debug builds: a transition finds its columns by `CaseModel.stepColumns`, and asks
    /// this there only to check that list.
    static func changedValues(of model: some Model, by change: () throws -> Void) throws -> [(name: String, value: BulkValue)] {
        let before = Collected(everyField: true)
        model.input(to: before)
        try change()
        let after = Collected()
        model.input(to: after)
        var changed: [(name: String, value: BulkValue)] = []
        for (key, value) in after.storage where key != .id {
            let column = key.description
            let new = try plain(value, column: column)
            // A field never read has no value before (`.default`): it counts as changed.
            if let old = before.storage[key].flatMap({ try? plain($0, column: column) }), old == new { continue }
            changed.append((column, new))
        }
        return changed.sorted { $0.name < $1.name }
    }
    #endif

    private static func plain(_ value: DatabaseQuery.Value, column: String) throws -> BulkValue {
        switch value {
        case .null: return .null
        case .enumCase(let name): return .text(name)
        case .bind(let bound):
            switch bound {
            case let v as String: return .text(v)
            case let v as Int: return .int(v)
            case let v as Double: return .double(v)
            case let v as Bool: return .bool(v)
            case let v as Date: return .date(v)
            case let v as UUID: return .uuid(v)
            default: throw PlainWriteError.unsupported(column)
            }
        case .default, .dictionary, .array, .custom: throw PlainWriteError.unsupported(column)
        }
    }
}

enum PlainWriteError: Error, CustomStringConvertible {
    case notSQL
    case unsupported(String)
    /// A step's changed columns by Fluent's account differ from those `CaseModel.stepColumns` saw (debug builds' check).
    case stepColumnsDisagree(fluent: [String], listed: [String])

    var description: String {
        switch self {
        case .notSQL: "plain writes need an SQL database"
        case .unsupported(let column): "plain writes cannot insert the value of \(column)"
        case .stepColumnsDisagree(let fluent, let listed):
            "the step changed \(fluent) by Fluent's account, \(listed) by CaseModel.stepColumns: a column is missing from that list, or out of name order"
        }
    }
}

private final class Collected: DatabaseInput {
    var storage: [FieldKey: DatabaseQuery.Value] = [:]
    /// Every field with its current value, not only those set since the model was read.
    let wantsUnmodifiedKeys: Bool

    init(everyField: Bool = false) { wantsUnmodifiedKeys = everyField }

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) { storage[key] = value }
}
