import Foundation

/// A period the figures are asked for: a week, a month, a quarter or a year, as inclusive day keys
/// (`2026-11-01` … `2026-11-30`). Written `2026-W47`, `2026-11`, `2026-Q4`, `2026` in URLs.
public struct AssessmentPeriod: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case day, week, month, quarter, year
    }

    public var kind: Kind
    public var first: String
    public var last: String
    /// The form used in URLs.
    public var token: String

    /// Days since 1970-01-01 of a day key, nil unless it is three numbers of at most eight digits (larger ones would
    /// overflow the arithmetic). Plain arithmetic (`RollupKeys.days`, `civil`): through `Calendar` and `String(format:)`
    /// a month's day keys were a tenth of a monthly report's CPU.
    static func dayNumber(_ day: String) -> Int64? {
        let parts = day.split(separator: "-").compactMap { $0.count <= 8 ? Int64($0) : nil }
        guard parts.count == 3 else { return nil }
        return RollupKeys.days(year: parts[0], month: parts[1], day: parts[2])
    }

    public static func day(_ day: String) -> AssessmentPeriod? {
        // Year 0 does not exist in `Calendar`'s Gregorian reckoning, which this reading kept out.
        guard let number = dayNumber(day), RollupKeys.dayString(number) == day, RollupKeys.civil(number).0 >= 1 else { return nil }
        return AssessmentPeriod(kind: .day, first: day, last: day, token: day)
    }

    /// The day keys from `first` through `last`.
    public static func days(from first: String, through last: String) -> [String] {
        guard let start = dayNumber(first), let end = dayNumber(last), start <= end else { return [] }
        return (start...end).map(RollupKeys.dayString)
    }

    /// The day `n` days before `day`.
    public static func day(_ day: String, minus n: Int) -> String {
        dayNumber(day).map { RollupKeys.dayString($0 - Int64(n)) } ?? day
    }

    public static func month(year: Int, month: Int) -> AssessmentPeriod {
        let (y, m) = (Int64(year), Int64(month))
        return AssessmentPeriod(kind: .month, first: RollupKeys.dayString(RollupKeys.days(year: y, month: m, day: 1)),
                                last: RollupKeys.dayString(RollupKeys.days(year: y, month: m + 1, day: 0)),
                                token: RollupKeys.pad(y, 4) + "-" + RollupKeys.pad(m, 2))
    }

    public static func quarter(year: Int, quarter: Int) -> AssessmentPeriod {
        let (y, m) = (Int64(year), Int64((quarter - 1) * 3 + 1))
        return AssessmentPeriod(kind: .quarter, first: RollupKeys.dayString(RollupKeys.days(year: y, month: m, day: 1)),
                                last: RollupKeys.dayString(RollupKeys.days(year: y, month: m + 3, day: 0)), token: "\(year)-Q\(quarter)")
    }

    public static func year(_ year: Int) -> AssessmentPeriod {
        let y = RollupKeys.pad(Int64(year), 4)
        return AssessmentPeriod(kind: .year, first: y + "-01-01", last: y + "-12-31", token: String(year))
    }

    /// The ISO week (Monday first) containing a day: the week belongs to the year of its Thursday.
    public static func week(containing day: String) -> AssessmentPeriod? {
        guard let number = dayNumber(day) else { return nil }
        let start = number - mondayFirstWeekday(number)
        let isoYear = RollupKeys.civil(start + 3).0
        let week = (start + 3 - RollupKeys.days(year: isoYear, month: 1, day: 1)) / 7 + 1
        return AssessmentPeriod(kind: .week, first: RollupKeys.dayString(start), last: RollupKeys.dayString(start + 6),
                                token: RollupKeys.pad(isoYear, 4) + "-W" + RollupKeys.pad(week, 2))
    }

    /// 0 for a Monday … 6 for a Sunday (1970-01-01 was a Thursday).
    private static func mondayFirstWeekday(_ day: Int64) -> Int64 {
        ((day % 7) + 7 + 3) % 7
    }

    /// Parses a URL token; `nil` for anything malformed or out of range.
    public static func parse(_ token: String) -> AssessmentPeriod? {
        let t = token.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = Int(parts[0]), parts[0].count == 4, (2000...2100).contains(year) else { return nil }
        if parts.count == 1 { return .year(year) }
        guard parts.count == 2 else { return nil }
        let rest = parts[1]
        if rest.hasPrefix("Q"), let q = Int(rest.dropFirst()), (1...4).contains(q), rest.count == 2 { return .quarter(year: year, quarter: q) }
        if rest.hasPrefix("W"), let w = Int(rest.dropFirst()), (1...53).contains(w), rest.count == 3 {
            // Week 1 is the week of 4 January; a year without a 53rd week gives the next year's first, refused.
            let january4 = RollupKeys.days(year: Int64(year), month: 1, day: 4)
            let start = january4 - mondayFirstWeekday(january4) + Int64(w - 1) * 7
            guard let found = week(containing: RollupKeys.dayString(start)), found.token == t else { return nil }
            return found
        }
        if let m = Int(rest), (1...12).contains(m), rest.count == 2 { return .month(year: year, month: m) }
        return nil
    }

    /// A day token (`2026-11-23`) or any of `parse`'s.
    public static func parseAny(_ token: String) -> AssessmentPeriod? {
        token.count == 10 ? day(token) : parse(token)
    }

    /// The period of this kind holding a day (`2026-11-23`).
    public static func of(_ kind: Kind, containing day: String) -> AssessmentPeriod? {
        let p = day.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        switch kind {
        case .day: return self.day(day)
        case .week: return week(containing: day)
        case .month: return month(year: p[0], month: p[1])
        case .quarter: return quarter(year: p[0], quarter: (p[1] - 1) / 3 + 1)
        case .year: return year(p[0])
        }
    }

    /// The period of the same kind just before this one.
    public var previous: AssessmentPeriod {
        let day = RollupKeys.dayString(AssessmentPeriod.dayNumber(first)! - 1)
        return AssessmentPeriod.of(kind, containing: day)!
    }

    public var labelZH: String {
        let p = first.split(separator: "-").compactMap { Int($0) }
        switch kind {
        case .day: return "\(p[0])年\(p[1])月\(p[2])日"
        case .week:
            let e = last.split(separator: "-").compactMap { Int($0) }
            let number = Int(token.suffix(2)) ?? 0
            return "\(token.prefix(4))年第\(number)周(\(p[1])月\(p[2])日–\(e[1])月\(e[2])日)"
        case .month: return "\(p[0])年\(p[1])月"
        case .quarter: return "\(p[0])年第\((p[1] - 1) / 3 + 1)季度"
        case .year: return "\(p[0])年"
        }
    }

    /// Every day key of the period, in order.
    public var days: [String] { AssessmentPeriod.days(from: first, through: last) }

    /// The fewest rollup periods that add up to this one: whole months as month rows, the rest as days.
    public var cover: (months: [String], days: [String]) {
        var months: [String] = []
        var days: [String] = []
        var pending: [String] = []
        var currentMonth = ""
        func flush() {
            guard let any = pending.first else { return }
            let p = any.split(separator: "-").compactMap { Int($0) }
            let whole = AssessmentPeriod.month(year: p[0], month: p[1])
            if pending.first == whole.first && pending.last == whole.last { months.append(whole.token) } else { days += pending }
            pending = []
        }
        for day in self.days {
            let month = String(day.prefix(7))
            if month != currentMonth { flush(); currentMonth = month }
            pending.append(day)
        }
        flush()
        return (months, days)
    }
}

