import Foundation
import Vapor
import WanggeDomain

/// One Open311 document, written as JSON or XML with the specification's element names.
enum Open311Value {
    case string(String?)
    case number(Double?)
    case bool(Bool)
    case object([(String, Open311Value)])
    /// An array; in XML each item is wrapped in `itemName`.
    case array(itemName: String, [Open311Value])

    func writeXML(name: String, into writer: inout XMLWriter) {
        switch self {
        case let .string(s): writer.element(name, s)
        case let .number(n): writer.element(name, n.map(Self.numberText))
        case let .bool(b): writer.element(name, b ? "true" : "false")
        case let .object(fields):
            writer.open(name)
            for (key, value) in fields { value.writeXML(name: key, into: &writer) }
            writer.close(name)
        case let .array(itemName, items):
            writer.open(name)
            for item in items { item.writeXML(name: itemName, into: &writer) }
            writer.close(name)
        }
    }

    static func numberText(_ n: Double) -> String {
        whole(n).map { String($0) } ?? String(n)
    }

    /// A whole number small enough to be exact is written as an integer (`3`, not `3.0`), in XML and JSON alike.
    static func whole(_ n: Double) -> Int? {
        n == n.rounded() && abs(n) < 1e15 ? Int(n) : nil
    }
}

/// JSON with the keys of each object sorted and nil written as `null`, as the specification's
/// examples show them. The answers are written by `jsonBytes()`; this is the form it is held to
/// (`Open311Tests`).
extension Open311Value: Encodable {
    func encode(to encoder: any Encoder) throws {
        switch self {
        case let .string(s):
            var single = encoder.singleValueContainer()
            if let s { try single.encode(s) } else { try single.encodeNil() }
        case let .number(n):
            var single = encoder.singleValueContainer()
            if let n {
                if let whole = Self.whole(n) { try single.encode(whole) } else { try single.encode(n) }
            } else {
                try single.encodeNil()
            }
        case let .bool(b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case let .object(fields):
            var object = encoder.container(keyedBy: NamedKey.self)
            var written = Set<String>()
            for (key, value) in fields.sorted(by: { $0.0 < $1.0 }) where written.insert(key).inserted {
                try object.encode(value, forKey: NamedKey(key))
            }
        case let .array(_, items):
            var array = encoder.unkeyedContainer()
            for item in items { try array.encode(item) }
        }
    }

    private struct NamedKey: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}

extension Open311Value {
    /// The bytes `StreamingJSONEncoder` writes for this value through `Encodable`, written directly: through the
    /// encoder's generic containers, its casts and a set of keys per object, a list of 1,000 requests spent
    /// 45% of its CPU writing itself. nil where the encoder throws (a number that is not finite).
    func jsonBytes() -> [UInt8]? {
        var bytes: [UInt8] = []
        var order = KeyOrder()
        return appendJSON(to: &bytes, order: &order) ? bytes : nil
    }

    /// The order an object's fields are written in: sorted by name as `encode(to:)` sorts them (a stable sort),
    /// of two fields of one name the first in that order. The items of a list (services, requests) have the same
    /// names in the same order, so the last object's order is kept and used again while the names match: sorting each
    /// request's seventeen names was a tenth of a list's CPU, before lists of requests were written straight from
    /// their rows (`Open311RequestWriter`).
    struct KeyOrder {
        private var names: [String] = []
        private var positions: [Int] = []

        mutating func positions(of fields: [(String, Open311Value)]) -> [Int] {
            if fields.count != names.count || !zip(fields, names).allSatisfy({ $0.0 == $1 }) {
                names = fields.map(\.0)
                var previous: String?
                positions = fields.indices.sorted { fields[$0].0 < fields[$1].0 }.filter { index in
                    defer { previous = fields[index].0 }
                    return fields[index].0 != previous
                }
            }
            return positions
        }
    }

    private func appendJSON(to bytes: inout [UInt8], order: inout KeyOrder) -> Bool {
        switch self {
        case let .string(s):
            bytes.appendJSONString(orNull: s)
        case let .number(n):
            return Self.appendJSONNumber(n, to: &bytes)
        case let .bool(b):
            bytes.append(contentsOf: (b ? "true" : "false").utf8)
        case let .object(fields):
            bytes.append(UInt8(ascii: "{"))
            // A nested object has an order of its own; the list's is kept for the next sibling.
            var inner = KeyOrder()
            for (n, position) in order.positions(of: fields).enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.appendJSONString(fields[position].0)
                bytes.append(UInt8(ascii: ":"))
                guard fields[position].1.appendJSON(to: &bytes, order: &inner) else { return false }
            }
            bytes.append(UInt8(ascii: "}"))
        case let .array(_, items):
            bytes.append(UInt8(ascii: "["))
            var siblings = KeyOrder()
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                guard item.appendJSON(to: &bytes, order: &siblings) else { return false }
            }
            bytes.append(UInt8(ascii: "]"))
        }
        return true
    }

    /// A number as `encode(to:)` writes it: a whole one without a point, nil as `null`; false (nothing written) where it is
    /// not finite.
    static func appendJSONNumber(_ n: Double?, to bytes: inout [UInt8]) -> Bool {
        guard let n else { bytes.append(contentsOf: "null".utf8); return true }
        if let whole = whole(n) {
            bytes.append(contentsOf: String(whole).utf8)
        } else {
            guard n.isFinite else { return false }
            bytes.appendJSONNumber(n)
        }
        return true
    }
}

extension Array where Element == UInt8 {
    /// A JSON string, or `null` for nil.
    mutating func appendJSONString(orNull text: String?) {
        if let text { appendJSONString(text) } else { append(contentsOf: "null".utf8) }
    }
}

enum Open311Format: String {
    case json, xml

    /// Splits `requests.json` into (`requests`, .json).
    static func split(_ file: String) -> (String, Open311Format)? {
        guard let dot = file.lastIndex(of: ".") else { return nil }
        guard let format = Open311Format(rawValue: String(file[file.index(after: dot)...]).lowercased()) else { return nil }
        return (String(file[..<dot]), format)
    }

    func response(_ value: Open311Value, root: String, status: HTTPResponseStatus = .ok) -> Response {
        switch self {
        case .json:
            return Self.json(value.jsonBytes(), status: status)
        case .xml:
            var writer = XMLWriter()
            value.writeXML(name: root, into: &writer)
            return Self.xml(writer.bytes, status: status)
        }
    }

    /// An XML document written beforehand.
    static func xml(_ bytes: [UInt8], status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "xml", parameters: ["charset": "utf-8"])
        return Response(status: status, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    /// JSON written beforehand, `[]` where it could not be.
    static func json(_ bytes: [UInt8]?, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes ?? Array("[]".utf8))))
    }

    /// The specification's error array: `[{"code": 400, "description": "…"}]` / `<errors><error>…`.
    func error(_ status: HTTPResponseStatus, _ description: String) -> Response {
        let item = Open311Value.object([("code", .number(Double(status.code))), ("description", .string(description))])
        return response(.array(itemName: "error", [item]), root: "errors", status: status)
    }
}

/// Open311 times are ISO 8601 with the offset of the installation's time zone.
struct Open311Time {
    let timeZone: TimeZone

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// `2026-12-06T18:20:05+08:00` (`Z` at no offset, the offset's seconds when it has any), whole seconds: what `ISO8601DateFormatter` with
    /// `.withInternetDateTime` writes, without its trip through ICU for each time (a list of 1,000 requests writes
    /// 3,000 of them, 13% of its CPU).
    func string(_ date: Date?) -> String? {
        guard let date else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        return append(date, to: &bytes) ? String(decoding: bytes, as: UTF8.self) : Self.fallback(date, timeZone)
    }

    /// The time as a JSON string (its text has nothing to escape), nil as `null`.
    func appendJSON(_ date: Date?, to bytes: inout [UInt8]) {
        guard let date else { bytes.append(contentsOf: "null".utf8); return }
        bytes.append(UInt8(ascii: "\""))
        if !append(date, to: &bytes) { bytes.append(contentsOf: Self.fallback(date, timeZone).utf8) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `string(date)`'s text, or nothing and false for a year outside 0–9999.
    private func append(_ date: Date, to bytes: inout [UInt8]) -> Bool {
        let offset = Int64(timeZone.secondsFromGMT(for: date))
        // As Foundation's formatter counts: the moment to the nearest millisecond, then its whole second (down), so
        // 05.9996 is 06 and -0.5 the second before 1970.
        let millis = Int64(((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000).rounded())
        let (civil, second) = CivilDateTime.split((millis >= 0 ? millis / 1000 : (millis - 999) / 1000) + offset)
        guard (0...9999).contains(civil.year) else { return false }
        bytes.appendDateTime(civil, second: second)
        if offset == 0 {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            bytes.append(UInt8(ascii: offset < 0 ? "-" : "+"))
            bytes.appendDecimal(abs(offset) / 3600, width: 2); bytes.append(UInt8(ascii: ":")); bytes.appendDecimal(abs(offset) / 60 % 60, width: 2)
            // A zone's offsets before standard time had seconds (St. John's −02:30:52 until 1935).
            if abs(offset) % 60 != 0 { bytes.append(UInt8(ascii: ":")); bytes.appendDecimal(abs(offset) % 60, width: 2) }
        }
        return true
    }

    /// Years outside 0–9999, which no case has: Foundation's own writing.
    private static func fallback(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func parse(_ raw: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: raw) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: raw) { return d }
        f.formatOptions = [.withFullDate]
        return f.date(from: raw)
    }
}
