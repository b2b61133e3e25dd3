import Foundation

/// A result's column names and where each is, found once and shared by its rows: the rows read
/// directly on SQLite (`SQLiteDirectReader`) and the prepared reads' on PostgreSQL (`PostgresPreparedReads`).
final class ResultColumns: Sendable {
    /// Which of two columns of one name a row reads: each driver's own rows decide, and a plain row
    /// reads as they do.
    enum Duplicate { case first, last }

    let names: [String]
    /// Each name's length in UTF-8 bytes.
    private let lengths: [Int]
    private let duplicate: Duplicate

    init(names: [String], keeping duplicate: Duplicate) {
        self.names = names
        lengths = names.map(\.utf8.count)
        self.duplicate = duplicate
    }

    /// Where the column `name` is, or nil. A row's decoding asks this for every column it reads (the overview's map:
    /// 3,516 rows of eight). The lengths are compared first and a name only where its length matches: 5 ns a lookup
    /// among 8 columns and 13 among 40, against 28–32 ns for hashing the name into a dictionary (`swiftc -O`).
    func offset(of name: String) -> Int? {
        let length = name.utf8.count
        switch duplicate {
        case .first:
            for place in lengths.indices where lengths[place] == length && names[place] == name { return place }
        case .last:
            for place in lengths.indices.reversed() where lengths[place] == length && names[place] == name { return place }
        }
        return nil
    }
}

/// The common types' conversions of one kind of row, found by the requested type's identity among a dozen and a half:
/// comparing identities in turn, the most asked first, instead of hashing one into a dictionary at every column read.
struct ConversionTable<Conversion: Sendable>: Sendable {
    private let types: [ObjectIdentifier]
    private let conversions: [Conversion]

    init(_ entries: [(ObjectIdentifier, Conversion)]) {
        types = entries.map(\.0)
        conversions = entries.map(\.1)
    }

    subscript(type: ObjectIdentifier) -> Conversion? {
        for place in types.indices where types[place] == type { return conversions[place] }
        return nil
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
