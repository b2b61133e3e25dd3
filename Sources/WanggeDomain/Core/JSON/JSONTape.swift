import Foundation

/// A JSON text checked once and laid out flat: one entry per value, in document order, each holding
/// where its bytes are and, for objects and arrays, where the entries after it begin. Decoding then
/// walks entries by index without building strings for keys or dictionaries for objects.
struct JSONTape {
    enum Kind: UInt8 { case object, array, string, escapedString, number, bool, null }

    struct Entry {
        let kind: Kind
        /// For scalars, the bytes of the value (a string without its quotes); `true` is `start == 1`.
        var start: Int
        var end: Int
        /// For objects and arrays: the index after the last entry inside, and how many members.
        var next: Int
        var count: Int
    }

    /// The text, borrowed: a tape lives only while its text does (one decoding).
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var entries: [Entry] = []

    static let maximumDepth = 256

    init(_ text: UnsafeBufferPointer<UInt8>) throws {
        bytes = text
        entries.reserveCapacity(text.count / 6 + 4)
        var parser = Parser(bytes: bytes)
        try parser.skipSpace()
        try parser.value(into: &entries, depth: 0)
        try parser.skipSpace()
        guard parser.at == bytes.count else { throw parser.corrupted("Unexpected text after the JSON value") }
    }

    static func unescape(_ slice: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        func hex4(_ at: Int) -> UInt32 {
            slice[at..<at + 4].reduce(UInt32(0)) { $0 << 4 | UInt32(Parser.hexValue($1)!) }
        }
        while i < slice.endIndex {
            let byte = slice[i]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); i += 1; continue }
            let escape = slice[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(i)
                i += 4
                // A surrogate pair spells one character beyond the first plane.
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= slice.endIndex, slice[i] == UInt8(ascii: "\\"),
                   slice[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: out.append(escape) // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the grammar of RFC 8259, strictly and all at once: Foundation checks numbers and escapes
    /// only when a value is decoded, so it lets some broken text pass that this refuses.
    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        func corrupted(_ what: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: [], debugDescription: "\(what) at byte \(at) of the JSON text."))
        }

        static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        mutating func skipSpace() throws {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x0A, 0x0D, 0x09: at += 1
                default: return
                }
            }
        }

        mutating func value(into entries: inout [Entry], depth: Int) throws {
            guard depth < JSONTape.maximumDepth else { throw corrupted("Too deeply nested") }
            guard at < bytes.count else { throw corrupted("Unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"): try container(into: &entries, depth: depth, object: true)
            case UInt8(ascii: "["): try container(into: &entries, depth: depth, object: false)
            case UInt8(ascii: "\""): try string(into: &entries)
            case UInt8(ascii: "t"): try literal("true", .bool, start: 1, into: &entries)
            case UInt8(ascii: "f"): try literal("false", .bool, start: 0, into: &entries)
            case UInt8(ascii: "n"): try literal("null", .null, start: 0, into: &entries)
            default: try number(into: &entries)
            }
        }

        private mutating func literal(_ word: StaticString, _ kind: Kind, start: Int, into entries: inout [Entry]) throws {
            let length = word.utf8CodeUnitCount
            guard at + length <= bytes.count,
                  word.withUTF8Buffer({ $0.elementsEqual(bytes[at..<at + length]) }) else { throw corrupted("Invalid literal") }
            at += length
            entries.append(Entry(kind: kind, start: start, end: 0, next: 0, count: 0))
        }

        private mutating func container(into entries: inout [Entry], depth: Int, object: Bool) throws {
            let index = entries.count
            entries.append(Entry(kind: object ? .object : .array, start: at, end: 0, next: 0, count: 0))
            let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
            at += 1
            try skipSpace()
            var count = 0
            if at < bytes.count, bytes[at] == close {
                at += 1
            } else {
                while true {
                    if object {
                        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw corrupted("Expected a key") }
                        try string(into: &entries)
                        try skipSpace()
                        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw corrupted("Expected ':'") }
                        at += 1
                        try skipSpace()
                    }
                    try value(into: &entries, depth: depth + 1)
                    count += 1
                    try skipSpace()
                    guard at < bytes.count else { throw corrupted("Unexpected end") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; try skipSpace(); continue }
                    guard bytes[at] == close else { throw corrupted("Expected ',' or '\(Character(Unicode.Scalar(close)))'") }
                    at += 1
                    break
                }
            }
            entries[index].end = at
            entries[index].next = entries.count
            entries[index].count = count
        }

        private mutating func string(into entries: inout [Entry]) throws {
            at += 1
            let start = at
            var escaped = false
            while true {
                guard at < bytes.count else { throw corrupted("Unterminated string") }
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") { break }
                guard byte >= 0x20 else { throw corrupted("Unescaped control character in string") }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    guard at + 1 < bytes.count else { throw corrupted("Unterminated string") }
                    switch bytes[at + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        at += 2
                    case UInt8(ascii: "u"):
                        guard at + 6 <= bytes.count, bytes[at + 2..<at + 6].allSatisfy({ Self.hexValue($0) != nil })
                        else { throw corrupted("Invalid \\u escape") }
                        at += 6
                    default: throw corrupted("Invalid escape")
                    }
                } else {
                    at += 1
                }
            }
            entries.append(Entry(kind: escaped ? .escapedString : .string, start: start, end: at, next: 0, count: 0))
            at += 1
        }

        private mutating func number(into entries: inout [Entry]) throws {
            let start = at
            func digits() -> Int {
                let from = at
                while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
                return at - from
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
            let leadingZero = at < bytes.count && bytes[at] == UInt8(ascii: "0")
            let whole = digits()
            guard whole > 0, !(leadingZero && whole > 1) else { throw corrupted("Invalid number") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw corrupted("Invalid number") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw corrupted("Invalid number") }
            }
            entries.append(Entry(kind: .number, start: start, end: at, next: 0, count: 0))
        }
    }
}
