import Foundation

/// Decodes JSON the way Foundation's `JSONDecoder` does with its default strategies (dates as
/// seconds since 2001, data as Base64), from a flat `JSONTape` instead of Foundation's keyed
/// dictionaries. Reading the stored snapshot and clocks of a case took Foundation a tenth of a case
/// page's time. Rows written by `JSONEncoder` (older ones) and by `StreamingJSONEncoder` with
/// `.secondsSinceReferenceDate` read alike.
///
/// Errors are `DecodingError`s of the same kinds Foundation throws (missing key, wrong type, null
/// where a value is needed, broken text), with the coding path.
public struct TapeJSONDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        return try text.withUTF8 { try decode(type, utf8: $0) }
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { try decode(type, utf8: $0.bindMemory(to: UInt8.self)) }
    }

    /// From bytes borrowed for the call, such as a request body's.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        try decode(type, utf8: bytes.bindMemory(to: UInt8.self))
    }

    private func decode<T: Decodable>(_ type: T.Type, utf8: UnsafeBufferPointer<UInt8>) throws -> T {
        let tape = try JSONTape(utf8)
        return try TapeReader(tape: tape).value(T.self, at: 0, parent: nil, key: nil)
    }
}

/// Turns tape entries into values; shared by every container of one decoding, which it must not
/// outlive (it reads the text it was given in place). It keeps the entries in memory of its own:
/// reaching an array through a class retained and released it at every key compared, which was
/// most of the decoding.
final class TapeReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let entries: UnsafeMutableBufferPointer<JSONTape.Entry>

    init(tape: JSONTape) {
        bytes = tape.bytes
        entries = .allocate(capacity: tape.entries.count)
        _ = entries.initialize(from: tape.entries)
    }

    deinit { entries.deallocate() }

    func entry(_ index: Int) -> JSONTape.Entry { entries[index] }

    /// The index of the entry after `index` and everything inside it.
    func after(_ index: Int) -> Int {
        let found = entries[index]
        return found.kind == .object || found.kind == .array ? found.next : index + 1
    }

    private func bytes(of found: JSONTape.Entry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[found.start..<found.end])
    }

    func text(_ found: JSONTape.Entry) -> String {
        if found.kind == .escapedString { return JSONTape.unescape(ArraySlice(bytes(of: found))) }
        return String(decoding: bytes(of: found), as: UTF8.self)
    }

    /// Whether the key entry at `index` holds exactly `key`: lengths first, then the bytes.
    func keyEquals(_ index: Int, _ key: String) -> Bool {
        let found = entries[index]
        guard found.kind == .string else { return text(found) == key }
        let length = found.end - found.start
        guard key.utf8.count == length else { return false }
        var key = key
        return key.withUTF8 { memcmp(bytes.baseAddress! + found.start, $0.baseAddress!, length) == 0 }
    }

    /// `keyEquals` for names written in the code, compared without making a `String`.
    func keyEquals(_ index: Int, _ name: StaticString) -> Bool {
        let found = entries[index]
        guard found.kind == .string else { return text(found) == name.description }
        let length = found.end - found.start
        return length == name.utf8CodeUnitCount && memcmp(bytes.baseAddress! + found.start, name.utf8Start, length) == 0
    }

    func value<T: Decodable>(_ type: T.Type, at index: Int, parent: CodingPathNode?, key: (any CodingKey)?) throws -> T {
        if T.self == String.self { return unsafeBitCast(try string(at: index, parent, key), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(Int.self, at: index, parent, key), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: index, parent, key), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try floating(Double.self, at: index, parent, key), to: T.self) }
        if T.self == Date.self {
            let seconds = try floating(Double.self, at: index, parent, key)
            return unsafeBitCast(Date(timeIntervalSinceReferenceDate: seconds), to: T.self)
        }
        if let leaf = T.self as? any JSONReadable.Type {
            return try leaf.init(reader: self, at: index, path: CodingPathNode(parent, key)) as! T
        }
        return try T(from: TapeDecoder(reader: self, index: index, node: CodingPathNode(parent, key)))
    }

    // MARK: scalars

    func mismatch(_ type: Any.Type, at index: Int, _ parent: CodingPathNode?, _ key: (any CodingKey)?) -> DecodingError {
        let path = CodingPathNode(parent, key).path
        if entry(index).kind == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(entry(index).kind) instead."))
    }

    func string(at index: Int, _ parent: CodingPathNode?, _ key: (any CodingKey)?) throws -> String {
        let found = entry(index)
        guard found.kind == .string || found.kind == .escapedString else { throw mismatch(String.self, at: index, parent, key) }
        return text(found)
    }

    func bool(at index: Int, _ parent: CodingPathNode?, _ key: (any CodingKey)?) throws -> Bool {
        let found = entry(index)
        guard found.kind == .bool else { throw mismatch(Bool.self, at: index, parent, key) }
        return found.start == 1
    }

    func numberText(_ type: Any.Type, at index: Int, _ parent: CodingPathNode?, _ key: (any CodingKey)?) throws -> Substring {
        let found = entry(index)
        guard found.kind == .number else { throw mismatch(type, at: index, parent, key) }
        return Substring(decoding: bytes(of: found), as: UTF8.self)
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at index: Int, _ parent: CodingPathNode?, _ key: (any CodingKey)?) throws -> I {
        let text = try numberText(type, at: index, parent, key)
        if let exact = I(text) { return exact }
        // `1e3` or `2.0` is a whole number too, as Foundation reads it.
        if let real = Double(text), let whole = I(exactly: real) { return whole }
        throw notFitting(text, type, parent, key)
    }

    func floating<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type, at index: Int, _ parent: CodingPathNode?,
                                                                      _ key: (any CodingKey)?) throws -> F {
        let text = try numberText(type, at: index, parent, key)
        guard let value = F(String(text)), value.isFinite else { throw notFitting(text, type, parent, key) }
        return value
    }

    private func notFitting(_ text: Substring, _ type: Any.Type, _ parent: CodingPathNode?, _ key: (any CodingKey)?) -> DecodingError {
        .dataCorrupted(.init(codingPath: CodingPathNode(parent, key).path, debugDescription: "Number \(text) does not fit in \(type)."))
    }
}

/// Types read from their entry directly, as Foundation's decoder reads them specially (or, for the
/// integer types, because their own `init(from:)` would ask for them again).
protocol JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws
}

extension JSONReadable where Self: FixedWidthInteger {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        self = try reader.integer(Self.self, at: index, path.parent, path.key)
    }
}

extension Int8: JSONReadable {}
extension Int16: JSONReadable {}
extension Int32: JSONReadable {}
extension Int64: JSONReadable {}
extension UInt: JSONReadable {}
extension UInt8: JSONReadable {}
extension UInt16: JSONReadable {}
extension UInt32: JSONReadable {}
extension UInt64: JSONReadable {}

extension Float: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        self = try reader.floating(Float.self, at: index, path.parent, path.key)
    }
}

extension URL: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        self = try reader.parsed(at: index, path: path, "Invalid URL string.") { URL(string: $0) }
    }
}

extension Data: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        self = try reader.parsed(at: index, path: path, "Encountered Data is not valid Base64.") { Data(base64Encoded: $0) }
    }
}

extension TapeReader {
    /// A string entry turned into a value by `parse`, or `dataCorrupted` saying `problem`.
    func parsed<T>(at index: Int, path: CodingPathNode, _ problem: String, _ parse: (String) -> T?) throws -> T {
        guard let value = parse(try string(at: index, path.parent, path.key)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path.path, debugDescription: problem))
        }
        return value
    }
}

extension Decimal: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let text = try reader.numberText(Decimal.self, at: index, path.parent, path.key)
        guard let value = Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")) else {
            throw reader.mismatch(Decimal.self, at: index, path.parent, path.key)
        }
        self = value
    }
}

/// The `Decoder` handed to a value's own `init(from:)`.
final class TapeDecoder: Decoder, SingleValueDecodingContainer {
    let reader: TapeReader
    let index: Int
    let node: CodingPathNode

    init(reader: TapeReader, index: Int, node: CodingPathNode) {
        self.reader = reader
        self.index = index
        self.node = node
    }

    var codingPath: [any CodingKey] { node.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard reader.entry(index).kind == .object else { throw reader.mismatch([String: Any].self, at: index, node.parent, node.key) }
        return KeyedDecodingContainer(KeyedTape<Key>(reader: reader, object: index, node: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard reader.entry(index).kind == .array else { throw reader.mismatch([Any].self, at: index, node.parent, node.key) }
        return UnkeyedTape(reader: reader, array: index, node: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { reader.entry(index).kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.bool(at: index, node.parent, node.key) }
    func decode(_ type: String.Type) throws -> String { try reader.string(at: index, node.parent, node.key) }
    func decode(_ type: Double.Type) throws -> Double { try reader.floating(Double.self, at: index, node.parent, node.key) }
    func decode(_ type: Float.Type) throws -> Float { try reader.floating(Float.self, at: index, node.parent, node.key) }
    func decode(_ type: Int.Type) throws -> Int { try reader.integer(Int.self, at: index, node.parent, node.key) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.value(T.self, at: index, parent: node.parent, key: node.key) }
}

struct KeyedTape<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: TapeReader
    let object: Int
    let node: CodingPathNode

    var codingPath: [any CodingKey] { node.path }

    var allKeys: [Key] {
        var keys: [Key] = []
        var index = object + 1
        for _ in 0..<reader.entry(object).count {
            if let key = Key(stringValue: reader.text(reader.entry(index))) { keys.append(key) }
            index = reader.after(index + 1)
        }
        return keys
    }

    /// The entry of the value under `key`; the last one if the text repeats a key (Foundation's decoder on Swift 6.3 takes the first).
    private func find(_ key: Key) -> Int? {
        let name = key.stringValue
        var index = object + 1, found: Int?
        for _ in 0..<reader.entry(object).count {
            if reader.keyEquals(index, name) { found = index + 1 }
            index = reader.after(index + 1)
        }
        return found
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: node.path,
                                                       debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return index
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { reader.entry(try require(key)).kind == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.bool(at: require(key), node, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.string(at: require(key), node, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.floating(Double.self, at: require(key), node, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try reader.floating(Float.self, at: require(key), node, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.integer(Int.self, at: require(key), node, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader.value(T.self, at: require(key), parent: node, key: key)
    }

    /// The entry under `key` unless it is missing or null: one look-up instead of the default
    /// `decodeIfPresent`'s three (contains, decodeNil, decode).
    private func present(_ key: Key) -> Int? {
        guard let index = find(key), reader.entry(index).kind != .null else { return nil }
        return index
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try reader.value(T.self, at: $0, parent: node, key: key) }
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try reader.string(at: $0, node, key) }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try reader.integer(Int.self, at: $0, node, key) }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try reader.bool(at: $0, node, key) }
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try reader.floating(Double.self, at: $0, node, key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(reader: reader, index: require(key), node: CodingPathNode(node, key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TapeDecoder(reader: reader, index: require(key), node: CodingPathNode(node, key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TapeDecoder(reader: reader, index: try require(key), node: CodingPathNode(node, key))
    }
}

struct UnkeyedTape: UnkeyedDecodingContainer {
    let reader: TapeReader
    let node: CodingPathNode
    let count: Int?
    private(set) var currentIndex = 0
    private var cursor: Int

    init(reader: TapeReader, array: Int, node: CodingPathNode) {
        self.reader = reader
        self.node = node
        count = reader.entry(array).count
        cursor = array + 1
    }

    var codingPath: [any CodingKey] { node.path }
    var isAtEnd: Bool { currentIndex >= count! }

    /// The next element's entry, moving past it.
    private mutating func next(_ type: Any.Type) throws -> (Int, IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: node.path + [IndexKey(currentIndex)],
                                                          debugDescription: "Unkeyed container is at end."))
        }
        let index = cursor, key = IndexKey(currentIndex)
        cursor = reader.after(cursor)
        currentIndex += 1
        return (index, key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, reader.entry(cursor).kind == .null else { return false }
        _ = try next(Never.self)
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (i, k) = try next(type); return try reader.bool(at: i, node, k) }
    mutating func decode(_ type: String.Type) throws -> String { let (i, k) = try next(type); return try reader.string(at: i, node, k) }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let (i, k) = try next(type)
        return try reader.floating(Double.self, at: i, node, k)
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let (i, k) = try next(type)
        return try reader.floating(Float.self, at: i, node, k)
    }
    mutating func decode(_ type: Int.Type) throws -> Int { let (i, k) = try next(type); return try reader.integer(Int.self, at: i, node, k) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (i, k) = try next(type)
        return try reader.value(T.self, at: i, parent: node, key: k)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (i, k) = try next([String: Any].self)
        return try TapeDecoder(reader: reader, index: i, node: CodingPathNode(node, k)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (i, k) = try next([Any].self)
        return try TapeDecoder(reader: reader, index: i, node: CodingPathNode(node, k)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (i, k) = try next(Any.self)
        return TapeDecoder(reader: reader, index: i, node: CodingPathNode(node, k))
    }
}
