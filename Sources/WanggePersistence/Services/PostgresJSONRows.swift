import Foundation

/// PostgreSQL's bulk writes as one statement text per table and columns, whatever the number of rows:
/// the rows go as one JSON array bound to `$1`, which `json_populate_recordset` reads with the table's own
/// column types. A multi-row `VALUES` list was a new text for every number of rows, with a bind for every
/// value, so PostgreSQL parsed and planned each group of reports afresh, and SQLKit encoded every value
/// through `Encodable`. A fixed text can be prepared once per connection (`PostgresPreparedReads`).
enum PostgresJSONRows {
    /// `INSERT INTO table (columns) SELECT columns FROM json_populate_recordset(…)`, with `tail` (a
    /// conflict clause, `RETURNING …`) after it. Columns are named, never `*`: a newer instance's
    /// migration may add columns to the table.
    static func insert(into table: String, columns: [String], tail: String) -> String {
        let names = columns.map { "\"\($0)\"" }.joined(separator: ",")
        return "INSERT INTO \"\(table)\" (\(names)) SELECT \(names) FROM json_populate_recordset(NULL::\"\(table)\", $1::json)" + tail
    }

    /// Sets `column` of each row whose `key` matches, from rows of (key, value).
    static func update(_ table: String, set column: String, where key: String) -> String {
        "UPDATE \"\(table)\" AS t SET \"\(column)\" = v.\"\(column)\" FROM json_populate_recordset(NULL::\"\(table)\", $1::json) AS v "
            + "WHERE t.\"\(key)\" = v.\"\(key)\""
    }

    /// The rows (`columns.count` values each, in order) as a JSON array of objects; nil when a value has no
    /// JSON form PostgreSQL would read back unchanged (a non-finite number, a date outside years 1–9999):
    /// the caller then binds the values one by one, as before.
    static func json(_ values: some Collection<BulkValue>, columns: [String]) -> String? {
        precondition(!columns.isEmpty && values.count % columns.count == 0, "values are not whole rows")
        let keys = columns.map { quoted($0) + ":" }
        var out = "["
        out.reserveCapacity(values.count * 12)
        for (index, value) in values.enumerated() {
            let column = index % columns.count
            out += column == 0 ? (index == 0 ? "{" : "},{") : ","
            out += keys[column]
            switch value {
            case .int(let v): out += String(v)
            case .double(let v):
                guard v.isFinite else { return nil }
                out += v.description
            case .text(let v): out += quoted(v)
            case .bool(let v): out += v ? "true" : "false"
            case .date(let v):
                guard let text = timestamp(v) else { return nil }
                out += "\"" + text + "\""
            case .uuid(let v): out += "\"" + v.uuidString + "\""
            case .null: out += "null"
            }
        }
        out += values.isEmpty ? "]" : "}]"
        return out
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as it is (UTF-8).
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    /// A date as PostgreSQL's `timestamptz` text in UTC, to the microsecond PostgresNIO's binary encoding
    /// would have stored (truncated, counted from 2000-01-01), so that a row reads back the same by either path.
    static func timestamp(_ date: Date) -> String? {
        let since2000 = date.timeIntervalSince(postgresEpoch) * 1_000_000
        guard since2000.isFinite, abs(since2000) < 9.2e18 else { return nil }
        let micros = Int64(since2000)
        let perDay: Int64 = 86_400_000_000
        let (days, inDay) = (micros.floorDivided(by: perDay), micros.floorModulo(perDay))
        let (year, month, day) = civil(daysSince2000: days)
        guard (1...9999).contains(year) else { return nil }
        let seconds = inDay / 1_000_000
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + "T" + padded(seconds / 3600, 2) + ":"
            + padded(seconds / 60 % 60, 2) + ":" + padded(seconds % 60, 2) + "." + padded(inDay % 1_000_000, 6) + "Z"
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// The proleptic Gregorian date of a day counted from 2000-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civil(daysSince2000: Int64) -> (Int64, Int64, Int64) {
        let z = daysSince2000 + 10_957 + 719_468  // days since 0000-03-01
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    func floorModulo(_ divisor: Int64) -> Int64 { self - floorDivided(by: divisor) * divisor }
}
