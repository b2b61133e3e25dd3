import Foundation
import SQLKit

/// A row read by the position of its columns, in the order its statement names them. Made straight from SQLite's
/// statement by the direct reader (`SQLiteDirectReader.decoded`), with no array of values a row and no column found
/// by name; any other row (PostgreSQL's, SQLite's inside a transaction) is read through `NamedPositions`.
public protocol PositionalRow {
    /// How many columns the statement reads.
    var count: Int { get }
    func string(_ index: Int) throws -> String
    func optionalString(_ index: Int) throws -> String?
    func int(_ index: Int) throws -> Int
    func optionalInt(_ index: Int) throws -> Int?
    func optionalDouble(_ index: Int) throws -> Double?
    func date(_ index: Int) throws -> Date
    func optionalDate(_ index: Int) throws -> Date?
}

/// What a many-row read makes of each row (the overview's thousands of map points), by position.
public protocol PositionallyDecodable: Sendable {
    init<Row: PositionalRow>(positions row: Row) throws
}

/// Any row read by position through the names of the statement's columns, decoded as the row decodes them.
struct NamedPositions: PositionalRow {
    let row: any SQLRow
    let names: [String]

    var count: Int { names.count }
    func string(_ index: Int) throws -> String { try row.decode(column: names[index], as: String.self) }
    func optionalString(_ index: Int) throws -> String? { try row.decode(column: names[index], as: String?.self) }
    func int(_ index: Int) throws -> Int { try row.decode(column: names[index], as: Int.self) }
    func optionalInt(_ index: Int) throws -> Int? { try row.decode(column: names[index], as: Int?.self) }
    func optionalDouble(_ index: Int) throws -> Double? { try row.decode(column: names[index], as: Double?.self) }
    func date(_ index: Int) throws -> Date { try row.decode(column: names[index], as: Date.self) }
    func optionalDate(_ index: Int) throws -> Date? { try row.decode(column: names[index], as: Date?.self) }
}
