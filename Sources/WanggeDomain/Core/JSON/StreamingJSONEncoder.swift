import Foundation

/// Encodes API answers straight into UTF-8 bytes in one pass, for every JSON response.
///
/// Foundation's `JSONEncoder` first builds a tree of boxed values and then writes it out; for a case
/// it was an eighth of the server's time per request. This writes each key and value as the
/// `Encodable` code hands them over. What a client reads is the same JSON as before — dates as
/// ISO 8601 in UTC, slashes unescaped, numbers as Foundation writes them — except that a struct's
/// keys come in the order its code names them, not sorted (dictionaries are still sorted, so the
/// bytes stay the same from one request to the next).
///
/// A container is closed when the value that opened it is done, or when its parent writes its next
/// element. Writing to a container after that throws, rather than producing broken JSON.
///
/// Stored JSON (a case's snapshot and clocks) keeps Foundation's default for dates, seconds since
/// 2001 (`.secondsSinceReferenceDate`), so that rows written before and after read the same.
public struct StreamingJSONEncoder: Sendable {
    public enum Dates: Sendable {
        /// `2026-12-01T12:57:16Z`, what the API has always answered.
        case iso8601
        /// A number, as `JSONEncoder`'s default `.deferredToDate` writes it.
        case secondsSinceReferenceDate
    }

    public let dates: Dates

    public init(dates: Dates = .iso8601) { self.dates = dates }

    public func encode<T: Encodable>(_ value: T, userInfo: [CodingUserInfoKey: any Sendable] = [:]) throws -> [UInt8] {
        try written(userInfo: userInfo) { try $0.value(value, parent: nil, key: nil) }
    }

    /// A value that writes itself, without `Encodable`'s entry and its cast.
    package func encode(writing value: some JSONWritable) throws -> [UInt8] {
        try written(userInfo: [:]) { try value.writeJSON(to: $0, parent: nil, key: nil) }
    }

    /// The bytes `write` puts into a fresh output, or the misuse it noted on the way.
    private func written(userInfo: [CodingUserInfoKey: any Sendable], _ write: (JSONOutput) throws -> Void) throws -> [UInt8] {
        let output = JSONOutput(userInfo: userInfo, dates: dates)
        try write(output)
        if let failure = output.failure { throw failure }
        return output.bytes
    }
}

/// Where the bytes go, and the containers still open (innermost last). Seen outside this module only
/// by types that write themselves (`JSONWritable`, through `JSONObjectWriter`).
package final class JSONOutput {
    // Only one encoding uses an output, on one thread; the runtime's exclusivity checks on every append
    // were a fifth of the encoder's time.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    let userInfo: [CodingUserInfoKey: Any]
    let dates: StreamingJSONEncoder.Dates
    @exclusivity(unchecked) private var open: [(id: Int, close: UInt8, count: Int)] = []
    private var lastID = 0
    /// A misuse found where the `Encoder` protocol cannot throw; the whole encoding fails with it.
    var failure: (any Error)?

    var depth: Int { open.count }

    init(userInfo: [CodingUserInfoKey: any Sendable], dates: StreamingJSONEncoder.Dates) {
        self.userInfo = userInfo
        self.dates = dates
        bytes.reserveCapacity(1024)
    }

    // MARK: containers

    /// Opens `{ … }` and returns its id.
    func openObject() -> Int { openContainer(UInt8(ascii: "{"), UInt8(ascii: "}")) }

    /// Opens `[ … ]` and returns its id.
    func openArray() -> Int { openContainer(UInt8(ascii: "["), UInt8(ascii: "]")) }

    private func openContainer(_ openByte: UInt8, _ closeByte: UInt8) -> Int {
        lastID += 1
        open.append((lastID, closeByte, 0))
        bytes.append(openByte)
        return lastID
    }

    /// Closes every container opened after `depth` containers were open.
    func close(downTo depth: Int) {
        while open.count > depth { bytes.append(open.removeLast().close) }
    }

    /// Makes `container` the innermost open one (closing finished nested ones) and writes the comma
    /// before its next element.
    func beginElement(in container: Int, path: @autoclosure () -> [any CodingKey]) throws {
        while let last = open.last, last.id > container { bytes.append(open.removeLast().close) }
        guard let last = open.last, last.id == container else {
            throw EncodingError.invalidValue(container, .init(codingPath: path(),
                debugDescription: "A JSON container was written to after a later one had closed it."))
        }
        if last.count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[open.count - 1].count += 1
    }

    func key(_ key: String, in container: Int, path: @autoclosure () -> [any CodingKey]) throws {
        try beginElement(in: container, path: path())
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    // MARK: values

    /// Writes any value; `parent` and `key` give its coding path, built only if the value's own code asks.
    /// Common leaf types are told apart by their metatype, which costs a compare, not a dynamic cast.
    func value<T: Encodable>(_ value: T, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        if T.self == String.self { return string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return raw(String(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return raw(unsafeBitCast(value, to: Bool.self) ? "true" : "false") }
        if T.self == Double.self { return try number(unsafeBitCast(value, to: Double.self), parent: parent, key: key) }
        if T.self == Date.self { return try date(unsafeBitCast(value, to: Date.self), parent: parent, key: key) }
        if let leaf = value as? any JSONWritable { return try leaf.writeJSON(to: self, parent: parent, key: key) }
        let depth = self.depth, start = bytes.count
        try value.encode(to: StreamEncoder(self, path: CodingPathNode(parent, key)))
        if self.depth > depth {
            close(downTo: depth)
        } else if bytes.count == start {
            raw("{}") // a value that encoded nothing, as Foundation writes it
        }
    }

    /// Runs a step where the protocol gives no way to throw, keeping its error for the end.
    func noting(_ step: () throws -> Void) {
        do { try step() } catch { failure = failure ?? error }
    }

    func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: CodingPathNode(parent, key).path,
                                                       debugDescription: "\(v) is not a number JSON can hold."))
        }
        bytes.appendJSONNumber(v)
    }

    /// A date as this encoder writes dates.
    func date(_ date: Date, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        switch dates {
        case .iso8601: iso8601(date)
        case .secondsSinceReferenceDate: try number(date.timeIntervalSinceReferenceDate, parent: parent, key: key)
        }
    }

    /// `2026-12-01T12:57:16Z`: what `JSONEncoder`'s `.iso8601` writes (whole seconds, rounded down).
    func iso8601(_ date: Date) {
        let (civil, second) = CivilDateTime.split(Int64(date.timeIntervalSince1970.rounded(.down)))
        bytes.append(UInt8(ascii: "\""))
        // Written as bytes: a case's nine dates made a padded `String` per field, 1% of a case page.
        bytes.appendDateTime(civil, second: second)
        raw("Z\"")
    }

    /// A JSON string: quotes, backslashes and control characters escaped; slashes and non-ASCII as they are.
    func string(_ text: String) {
        bytes.appendJSONString(text)
    }
}

/// A coding path kept as links to the parent, turned into an array only when asked.
package final class CodingPathNode {
    let parent: CodingPathNode?
    let key: (any CodingKey)?

    init(_ parent: CodingPathNode?, _ key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    var path: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: CodingPathNode? = self
        while let current = node {
            if let key = current.key { keys.append(key) }
            node = current.parent
        }
        return keys.reversed()
    }
}

struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct NamedKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Values written by the output itself rather than through their own `encode(to:)`: the integer
/// and float types (whose `encode(to:)` would hand them back as generic values), the types Foundation's
/// encoder also treats specially, string-keyed dictionaries, and the API's answers read on every
/// request, which write their fields by hand (`JSONObjectWriter`). `parent` and `key` give the value's
/// coding path, for errors.
package protocol JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws
}

extension JSONWritable where Self: BinaryInteger {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws { output.raw(String(self)) }
}

extension Int8: JSONWritable {}
extension Int16: JSONWritable {}
extension Int32: JSONWritable {}
extension Int64: JSONWritable {}
extension UInt: JSONWritable {}
extension UInt8: JSONWritable {}
extension UInt16: JSONWritable {}
extension UInt32: JSONWritable {}
extension UInt64: JSONWritable {}

extension Float: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.number(self, parent: parent, key: key)
    }
}

extension URL: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws { output.string(absoluteString) }
}

extension Data: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.string(base64EncodedString())
    }
}

extension Decimal: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws { output.raw(description) }
}

/// Dictionaries keyed by string iterate in no fixed order; they are written with their keys sorted.
extension Dictionary: JSONWritable where Key == String, Value: Encodable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        let path = CodingPathNode(parent, key)
        let depth = output.depth
        let container = output.openObject()
        for name in keys.sorted() {
            try output.key(name, in: container, path: path.path)
            try output.value(self[name]!, parent: path, key: NamedKey(name))
        }
        output.close(downTo: depth)
    }
}

/// The `Encoder` handed to a value's own `encode(to:)`.
final class StreamEncoder: Encoder, SingleValueEncodingContainer {
    let output: JSONOutput
    let node: CodingPathNode
    private var keyedContainer: Int?

    init(_ output: JSONOutput, path: CodingPathNode) {
        self.output = output
        self.node = path
    }

    var codingPath: [any CodingKey] { node.path }
    var userInfo: [CodingUserInfoKey: Any] { output.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // Asking twice (a subclass and its superclass) goes on filling the same object.
        let id = keyedContainer ?? output.openObject()
        keyedContainer = id
        return KeyedEncodingContainer(KeyedStream<Key>(output: output, container: id, node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedStream(output: output, container: output.openArray(), node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { output.raw("null") }
    func encode(_ value: Bool) throws { output.raw(value ? "true" : "false") }
    func encode(_ value: String) throws { output.string(value) }
    func encode(_ value: Double) throws { try output.number(value, parent: node, key: nil) }
    func encode(_ value: Float) throws { try output.number(value, parent: node, key: nil) }
    func encode(_ value: Int) throws { output.raw(String(value)) }
    func encode<T: Encodable>(_ value: T) throws { try output.value(value, parent: node.parent, key: node.key) }
}

struct KeyedStream<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let output: JSONOutput
    let container: Int
    let node: CodingPathNode

    var codingPath: [any CodingKey] { node.path }

    private func begin(_ key: Key) throws {
        try output.key(key.stringValue, in: container, path: node.path + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); output.raw("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); output.raw(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); output.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); try output.number(value, parent: node, key: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key); try output.number(value, parent: node, key: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); output.raw(String(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try output.value(value, parent: node, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        // The protocol cannot throw here; a misuse fails the whole encoding at its end.
        output.noting { try begin(key) }
        let id = output.openObject()
        return KeyedEncodingContainer(KeyedStream<NestedKey>(output: output, container: id, node: CodingPathNode(node, key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        output.noting { try begin(key) }
        return UnkeyedStream(output: output, container: output.openArray(),
                             node: CodingPathNode(node, key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        output.noting { try begin(key) }
        return StreamEncoder(output, path: CodingPathNode(node, key))
    }
}

struct UnkeyedStream: UnkeyedEncodingContainer {
    let output: JSONOutput
    let container: Int
    let node: CodingPathNode
    private(set) var count = 0

    init(output: JSONOutput, container: Int, node: CodingPathNode) {
        self.output = output
        self.container = container
        self.node = node
    }

    var codingPath: [any CodingKey] { node.path }

    private mutating func begin() throws {
        try output.beginElement(in: container, path: node.path + [IndexKey(count)])
        count += 1
    }

    mutating func encodeNil() throws { try begin(); output.raw("null") }
    mutating func encode(_ value: Bool) throws { try begin(); output.raw(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try begin(); output.string(value) }
    mutating func encode(_ value: Double) throws { try begin(); try output.number(value, parent: node, key: IndexKey(count - 1)) }
    mutating func encode(_ value: Float) throws { try begin(); try output.number(value, parent: node, key: IndexKey(count - 1)) }
    mutating func encode(_ value: Int) throws { try begin(); output.raw(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try output.value(value, parent: node, key: IndexKey(count - 1))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        output.noting { try begin() }
        let id = output.openObject()
        return KeyedEncodingContainer(KeyedStream<NestedKey>(output: output, container: id, node: CodingPathNode(node, IndexKey(count - 1))))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        output.noting { try begin() }
        return UnkeyedStream(output: output, container: output.openArray(),
                             node: CodingPathNode(node, IndexKey(count - 1)))
    }

    mutating func superEncoder() -> any Encoder {
        output.noting { try begin() }
        return StreamEncoder(output, path: CodingPathNode(node, IndexKey(count - 1)))
    }
}
