import Foundation

/// Writes one JSON object field by field, for the API's answers read on every request, which write
/// themselves (`JSONWritable`) instead of going through `Encodable`. A case page spent a tenth of its
/// time in the generic path: a boxed container per object and, per field, a generic call, runtime
/// metadata lookups and a failing dynamic cast.
///
/// It writes what a synthesized `encode(to:)` writes, fields in the order given: a nil optional is left
/// out, as `encodeIfPresent` leaves it. A type written this way keeps its synthesized `Codable` (pages
/// and tests use it), and a test binds the two on a value that leaves nothing empty.
package struct JSONObjectWriter {
    private let output: JSONOutput
    private let parent: CodingPathNode?
    private let key: (any CodingKey)?
    /// This object's place in the coding path, made only when a nested value needs it.
    private var ownNode: CodingPathNode?
    private var count = 0

    fileprivate init(output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) {
        self.output = output
        self.parent = parent
        self.key = key
    }

    /// Keys are identifiers, written as they are (no quotes, backslashes or control characters).
    private mutating func begin(_ key: StaticString) {
        if count > 0 { output.bytes.append(UInt8(ascii: ",")) }
        count += 1
        output.bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.bytes.append(contentsOf: $0) }
        output.bytes.append(UInt8(ascii: "\""))
        output.bytes.append(UInt8(ascii: ":"))
    }

    private mutating func node() -> CodingPathNode {
        if let ownNode { return ownNode }
        let made = CodingPathNode(parent, key)
        ownNode = made
        return made
    }

    package mutating func field(_ key: StaticString, _ value: String) {
        begin(key)
        output.string(value)
    }

    package mutating func field(_ key: StaticString, _ value: String?) {
        if let value { field(key, value) }
    }

    package mutating func field(_ key: StaticString, _ value: Int) {
        begin(key)
        output.raw(String(value))
    }

    package mutating func field(_ key: StaticString, _ value: Int?) {
        if let value { field(key, value) }
    }

    package mutating func field(_ key: StaticString, _ value: Bool) {
        begin(key)
        output.raw(value ? "true" : "false")
    }

    package mutating func field(_ key: StaticString, _ value: Bool?) {
        if let value { field(key, value) }
    }

    package mutating func field(_ key: StaticString, _ value: Double) throws {
        begin(key)
        try output.number(value, parent: node(), key: StaticKey(key))
    }

    package mutating func field(_ key: StaticString, _ value: Date) throws {
        begin(key)
        try output.date(value, parent: node(), key: StaticKey(key))
    }

    package mutating func field(_ key: StaticString, _ value: Date?) throws {
        if let value { try field(key, value) }
    }

    /// A nested value that writes itself: another such object, an array of them, strings or numbers.
    package mutating func field<T: JSONWritable>(_ key: StaticString, _ value: T) throws {
        begin(key)
        try value.writeJSON(to: output, parent: node(), key: StaticKey(key))
    }

    package mutating func field<T: JSONWritable>(_ key: StaticString, _ value: T?) throws {
        if let value { try field(key, value) }
    }
}

extension JSONOutput {
    /// Writes `{`, the fields `body` writes, and `}`.
    package func object(parent: CodingPathNode?, key: (any CodingKey)?, _ body: (inout JSONObjectWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        var writer = JSONObjectWriter(output: self, parent: parent, key: key)
        try body(&writer)
        bytes.append(UInt8(ascii: "}"))
    }
}

/// A key named in code, turned into a `String` only if an error's coding path is built.
struct StaticKey: CodingKey {
    let name: StaticString
    init(_ name: StaticString) { self.name = name }
    var stringValue: String { name.description }
    var intValue: Int? { nil }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// An array of values that write themselves, written without `Encodable`'s unkeyed container.
extension Array: JSONWritable where Element: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.bytes.append(UInt8(ascii: "["))
        if !isEmpty {
            let path = CodingPathNode(parent, key)
            for index in indices {
                if index > 0 { output.bytes.append(UInt8(ascii: ",")) }
                try self[index].writeJSON(to: output, parent: path, key: IndexKey(index))
            }
        }
        output.bytes.append(UInt8(ascii: "]"))
    }
}

// The leaf types an answer's arrays hold. `JSONOutput.value` still takes its own faster path for them
// when they come one by one through `Encodable`.
extension String: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws { output.string(self) }
}

extension Int: JSONWritable {}

extension Bool: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.raw(self ? "true" : "false")
    }
}

extension Double: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.number(self, parent: parent, key: key)
    }
}
