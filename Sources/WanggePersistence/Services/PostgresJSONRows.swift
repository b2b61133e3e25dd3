import Foundation
import WanggeDomain

/// PostgreSQL's bulk writes as one statement text per table and columns, whatever the number of rows:
/// the rows go as one JSON array bound to `$1`, which `json_populate_recordset` reads with the table's own
/// column types. A multi-row `VALUES` list was a new text for every number of rows, with a bind for every
/// value, so PostgreSQL parsed and planned each group of reports afresh, and SQLKit encoded every value
/// through `Encodable`. A fixed text can be prepared once per connection (`PostgresPreparedReads`).
enum PostgresJSONRows {
    /// `INSERT INTO table (columns) SELECT columns FROM json_populate_recordset(…)`, with `tail` (a
    /// conflict clause, `RETURNING …`) after it, the rows bound to `$parameter`. Columns are named, never
    /// `*`: a newer instance's migration may add columns to the table.
    static func insert(into table: String, columns: [String], tail: String, parameter: Int = 1) -> String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ",")
        return "INSERT INTO \"\(table)\" (\(names)) SELECT \(names) FROM json_populate_recordset(NULL::\"\(table)\", $\(parameter)::json)" + tail
    }

    /// The rows (`columns.count` values each, in order) as a JSON array of objects; nil when a value has no
    /// JSON form PostgreSQL would read back unchanged (a non-finite number, a date outside years 1–9999):
    /// the caller then binds the values one by one, as before. Built as UTF-8 bytes: appending to a
    /// `String` scalar by scalar was a fifth of the server's work for a report.
    static func json(_ values: some Collection<BulkValue>, columns: [String]) -> String? {
        precondition(!columns.isEmpty && values.count % columns.count == 0, "values are not whole rows")
        let keys = columns.map { name -> [UInt8] in
            var key: [UInt8] = []
            key.appendJSONString(name)
            return key + [UInt8(ascii: ":")]
        }
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(values.count * 16)
        for (index, value) in values.enumerated() {
            let column = index % columns.count
            if column == 0 {
                if index > 0 { out += [UInt8(ascii: "}"), UInt8(ascii: ",")] }
                out.append(UInt8(ascii: "{"))
            } else {
                out.append(UInt8(ascii: ","))
            }
            out += keys[column]
            switch value {
            case .int(let v): out += String(v).utf8
            case .double(let v):
                guard v.isFinite else { return nil }
                out += v.description.utf8
            case .text(let v): out.appendJSONString(v)
            case .bool(let v): out += (v ? "true" : "false").utf8
            case .date(let v):
                out.append(UInt8(ascii: "\""))
                guard appendTimestamp(v, to: &out) else { return nil }
                out.append(UInt8(ascii: "\""))
            case .uuid(let v): out.appendJSONString(v.uuidString)
            case .null: out += "null".utf8
            }
        }
        if !values.isEmpty { out.append(UInt8(ascii: "}")) }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string, as `json` writes it (`appendJSONString`).
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.appendJSONString(text)
        return String(decoding: out, as: UTF8.self)
    }

    /// A date as PostgreSQL's `timestamptz` text in UTC, to the microsecond PostgresNIO's binary encoding
    /// would have stored (truncated, counted from 2000-01-01), so that a row reads back the same by either path.
    static func timestamp(_ date: Date) -> String? {
        var out: [UInt8] = []
        guard appendTimestamp(date, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// `timestamp`'s text appended to `out`; false (and nothing appended) outside years 1–9999.
    private static func appendTimestamp(_ date: Date, to out: inout [UInt8]) -> Bool {
        let since2000 = date.timeIntervalSince(postgresEpoch) * 1_000_000
        guard since2000.isFinite, abs(since2000) < 9.2e18 else { return false }
        let micros = Int64(since2000), perDay: Int64 = 86_400_000_000
        var (days, inDay) = (micros / perDay, micros % perDay)
        if inDay < 0 { (days, inDay) = (days - 1, inDay + perDay) }
        let civil = RollupKeys.civil(days + 10_957)
        guard (1...9999).contains(civil.0) else { return false }
        out.appendDateTime(civil, second: inDay / 1_000_000); out.append(UInt8(ascii: "."))
        out.appendDecimal(inDay % 1_000_000, width: 6); out.append(UInt8(ascii: "Z"))
        return true
    }

    /// 2000-01-01, the epoch of PostgreSQL's and PostgresNIO's times (10,957 days after 1970).
    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
}
