import Foundation

/// Times as pages show them, in the installation's time zone, by plain arithmetic. A `DateFormatter`
/// made for each time set up an ICU formatter every time: with twenty rows that was 30% of a
/// dispatcher's work list.
public enum LocalTime {
    /// `2026-12-03 14:05`, what `DateFormatter` with `yyyy-MM-dd HH:mm` writes (seconds dropped).
    public static func minute(_ date: Date, timeZone: TimeZone) -> String {
        let local = RollupKeys.localSeconds(toTheMillisecond(date), timeZone: timeZone)
        let days = RollupKeys.day(ofLocalSeconds: local)
        let inDay = local - days * 86_400
        return RollupKeys.dayString(days) + " " + RollupKeys.pad(inDay / 3600, 2) + ":" + RollupKeys.pad(inDay / 60 % 60, 2)
    }

    /// ICU formats whole milliseconds: a moment is rounded to the nearest one before its second is taken.
    private static func toTheMillisecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
