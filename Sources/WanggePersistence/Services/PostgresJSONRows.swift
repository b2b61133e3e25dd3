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
    /// the caller then binds the values one by one, as before. Built as UTF-8 bytes: appending to a
    /// `String` scalar by scalar was a fifth of the server's work for a report.
    static func json(_ values: some Collection<BulkValue>, columns: [String]) -> String? {
        precondition(!columns.isEmpty && values.count % columns.count == 0, "values are not whole rows")
        let keys = columns.map { name -> [UInt8] in
            var key: [UInt8] = []
            appendQuoted(name, to: &key)
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
            case .text(let v): appendQuoted(v, to: &out)
            case .bool(let v): out += (v ? "true" : "false").utf8
            case .date(let v):
                out.append(UInt8(ascii: "\""))
                guard appendTimestamp(v, to: &out) else { return nil }
                out.append(UInt8(ascii: "\""))
            case .uuid(let v): appendQuoted(v.uuidString, to: &out)
            case .null: out += "null".utf8
            }
        }
        if !values.isEmpty { out.append(UInt8(ascii: "}")) }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as it is (UTF-8).
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Every byte of a multi-byte UTF-8 sequence is 0x80 or above, so escaping byte by byte is safe.
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
                case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
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
        let micros = Int64(since2000)
        let perDay: Int64 = 86_400_000_000
        let (days, inDay) = (micros.floorDivided(by: perDay), micros.floorModulo(perDay))
        let (year, month, day) = civil(daysSince2000: days)
        guard (1...9999).contains(year) else { return false }
        let seconds = inDay / 1_000_000
        for (value, width, separator) in [(year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (seconds / 3600, 2, ":"), (seconds / 60 % 60, 2, ":"),
                                          (seconds % 60, 2, "."), (inDay % 1_000_000, 6, "Z")] as [(Int64, Int, Unicode.Scalar)] {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var rest = value
            for place in digits.indices.reversed() {
                digits[place] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out += digits
            out.append(UInt8(ascii: separator))
        }
        return true
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
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    func floorModulo(_ divisor: Int64) -> Int64 { self - floorDivided(by: divisor) * divisor }
}
