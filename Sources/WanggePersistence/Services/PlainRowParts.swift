import Foundation

/// A result's column names and where each is, found once and shared by its rows: the rows read
/// directly on SQLite (`SQLiteDirectReader`) and the prepared reads' on PostgreSQL (`PostgresPreparedReads`).
final class ResultColumns: Sendable {
    /// Which of two columns of one name a row reads: each driver's own rows decide, and a plain row
    /// reads as they do.
    enum Duplicate { case first, last }

    let names: [String]
    let index: [String: Int]

    init(names: [String], keeping duplicate: Duplicate) {
        self.names = names
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, last in duplicate == .first ? first : last })
    }
}

/// A converted column of one of the common types, handed over as the `D` it was looked up by. Both plain
/// rows find a column's conversion by the requested type's identity: comparing `D` with `String?.self`,
/// or returning a `D?`, builds generic metadata each time, which costs as much as the general path.
enum CommonValue {
    case string(String), optionalString(String?), int(Int), optionalInt(Int?), double(Double), optionalDouble(Double?)
    case date(Date), optionalDate(Date?), bool(Bool), optionalBool(Bool?)
    case int64(Int64), optionalInt64(Int64?), uuid(UUID), optionalUUID(UUID?)

    /// `D` is the payload's type (the conversion was found by `D`'s identity), so this reinterprets nothing.
    func `as`<D>(_: D.Type) -> D {
        switch self {
        case .string(let value): unsafeBitCast(value, to: D.self)
        case .optionalString(let value): unsafeBitCast(value, to: D.self)
        case .int(let value): unsafeBitCast(value, to: D.self)
        case .optionalInt(let value): unsafeBitCast(value, to: D.self)
        case .double(let value): unsafeBitCast(value, to: D.self)
        case .optionalDouble(let value): unsafeBitCast(value, to: D.self)
        case .date(let value): unsafeBitCast(value, to: D.self)
        case .optionalDate(let value): unsafeBitCast(value, to: D.self)
        case .bool(let value): unsafeBitCast(value, to: D.self)
        case .optionalBool(let value): unsafeBitCast(value, to: D.self)
        case .int64(let value): unsafeBitCast(value, to: D.self)
        case .optionalInt64(let value): unsafeBitCast(value, to: D.self)
        case .uuid(let value): unsafeBitCast(value, to: D.self)
        case .optionalUUID(let value): unsafeBitCast(value, to: D.self)
        }
    }
}
