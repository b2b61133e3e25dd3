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

    var json: Any {
        switch self {
        case let .string(s): s ?? NSNull()
        case let .number(n): n ?? NSNull()
        case let .bool(b): b
        case let .object(fields): Dictionary(fields.map { ($0.0, $0.1.json) }, uniquingKeysWith: { a, _ in a })
        case let .array(_, items): items.map(\.json)
        }
    }

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
        n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
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
        var headers = HTTPHeaders()
        let body: String
        switch self {
        case .json:
            headers.contentType = .json
            let data = (try? JSONSerialization.data(withJSONObject: value.json, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
            body = String(decoding: data, as: UTF8.self)
        case .xml:
            headers.contentType = HTTPMediaType(type: "text", subType: "xml", parameters: ["charset": "utf-8"])
            var writer = XMLWriter()
            value.writeXML(name: root, into: &writer)
            body = writer.text
        }
        return Response(status: status, headers: headers, body: .init(string: body))
    }

    /// The specification's error array: `[{"code": 400, "description": "…"}]` / `<errors><error>…`.
    func error(_ status: HTTPResponseStatus, _ description: String) -> Response {
        let item = Open311Value.object([("code", .number(Double(status.code))), ("description", .string(description))])
        return response(.array(itemName: "error", [item]), root: "errors", status: status)
    }
}

/// Open311 times are ISO 8601 with the offset of the installation's time zone.
struct Open311Time {
    let formatter: ISO8601DateFormatter

    init(timeZone: TimeZone) {
        formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
    }

    func string(_ date: Date?) -> String? { date.map(formatter.string(from:)) }

    static func parse(_ raw: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: raw) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: raw) { return d }
        f.formatOptions = [.withFullDate]
        return f.date(from: raw)
    }
}
