/// A moment's calendar date and second of the day, and their ISO 8601 text (`2026-12-06T18:20:05`), written as bytes:
/// the JSON encoder's dates, PostgreSQL's timestamps and Open311's times all begin with it.
public enum CivilDateTime {
    /// The date (`RollupKeys.civil`) and the second of that day of `seconds` after 1970-01-01T00:00 on some clock (UTC,
    /// or a zone's local time once its offset is added), before 1970 too.
    public static func split(_ seconds: Int64) -> (date: (year: Int64, month: Int64, day: Int64), second: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (RollupKeys.civil(days), seconds - days * 86_400)
    }
}

extension Array where Element == UInt8 {
    /// `2026-12-06T18:20:05` of a date and a second of its day; a year before 0 keeps its sign.
    public mutating func appendDateTime(_ date: (year: Int64, month: Int64, day: Int64), second: Int64) {
        if date.year >= 0 { appendDecimal(date.year, width: 4) } else { append(contentsOf: RollupKeys.pad(date.year, 4).utf8) }
        append(UInt8(ascii: "-")); appendDecimal(date.month, width: 2); append(UInt8(ascii: "-")); appendDecimal(date.day, width: 2)
        append(UInt8(ascii: "T")); appendDecimal(second / 3600, width: 2); append(UInt8(ascii: ":"))
        appendDecimal(second / 60 % 60, width: 2); append(UInt8(ascii: ":")); appendDecimal(second % 60, width: 2)
    }
}
