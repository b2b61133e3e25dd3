import Foundation
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL row read by position: its cells in the statement's order, each decoded straight by PostgresNIO's
/// typed initializers. `PostgresPlainRow`, read by name, built a lookup table of the columns' names for every row and
/// found each column and its type's conversion in a dictionary.
struct PostgresPositionalRow: PositionalRow {
    private let whole: PostgresRow
    private let cells: [PostgresCell]

    init(_ row: PostgresRow) {
        whole = row
        var cells: [PostgresCell] = []
        cells.reserveCapacity(row.count)
        for cell in row { cells.append(cell) }
        self.cells = cells
    }

    var count: Int { cells.count }
    func string(_ index: Int) throws -> String { try value(index) }
    func optionalString(_ index: Int) throws -> String? { try optional(index) }
    func int(_ index: Int) throws -> Int { try value(index) }
    func optionalInt(_ index: Int) throws -> Int? { try optional(index) }
    func optionalDouble(_ index: Int) throws -> Double? { try optional(index) }
    func date(_ index: Int) throws -> Date { try value(index) }
    func optionalDate(_ index: Int) throws -> Date? { try optional(index) }

    private func value<V: PostgresDecodable & Decodable>(_ index: Int) throws -> V {
        let cell = cells[index]
        if var bytes = cell.bytes, let decoded = try? V(from: &bytes, type: cell.dataType, format: cell.format, context: .default) {
            return decoded
        }
        return try fallback(index)
    }

    private func optional<V: PostgresDecodable & Decodable>(_ index: Int) throws -> V? {
        let cell = cells[index]
        guard var bytes = cell.bytes else { return nil }
        if let decoded = try? V(from: &bytes, type: cell.dataType, format: cell.format, context: .default) { return decoded }
        return try fallback(index)
    }

    /// A cell in another form (a sum as `numeric`, a NULL where a value is wanted) goes through PostgresKit's own
    /// decoding, as `PostgresPlainRow` does: the same answer or the same error as a row read by name.
    private func fallback<V: Decodable>(_ index: Int) throws -> V {
        try whole.sql().decode(column: cells[index].columnName, as: V.self)
    }
}
