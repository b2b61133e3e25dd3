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

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func date(_ day: String) -> Date? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    static func key(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public static func day(_ day: String) -> AssessmentPeriod? {
        guard let date = date(day), key(date) == day else { return nil }
        return AssessmentPeriod(kind: .day, first: day, last: day, token: day)
    }

    /// The day keys from `first` through `last`.
    public static func days(from first: String, through last: String) -> [String] {
        guard var d = date(first), let end = date(last) else { return [] }
        var out: [String] = []
        while d <= end {
            out.append(key(d))
            d = d.addingTimeInterval(86400)
        }
        return out
    }

    /// The day `n` days before `day`.
    public static func day(_ day: String, minus n: Int) -> String {
        date(day).map { key($0.addingTimeInterval(-Double(n) * 86400)) } ?? day
    }

    public static func month(year: Int, month: Int) -> AssessmentPeriod {
        let start = utc.date(from: DateComponents(year: year, month: month, day: 1))!
        let end = utc.date(byAdding: DateComponents(month: 1, day: -1), to: start)!
        return AssessmentPeriod(kind: .month, first: key(start), last: key(end), token: String(format: "%04d-%02d", year, month))
    }

    public static func quarter(year: Int, quarter: Int) -> AssessmentPeriod {
        let start = utc.date(from: DateComponents(year: year, month: (quarter - 1) * 3 + 1, day: 1))!
        let end = utc.date(byAdding: DateComponents(month: 3, day: -1), to: start)!
        return AssessmentPeriod(kind: .quarter, first: key(start), last: key(end), token: "\(year)-Q\(quarter)")
    }

    public static func year(_ year: Int) -> AssessmentPeriod {
        AssessmentPeriod(kind: .year, first: String(format: "%04d-01-01", year), last: String(format: "%04d-12-31", year), token: String(year))
    }

    /// The ISO week (Monday first) containing a day.
    public static func week(containing day: String) -> AssessmentPeriod? {
        guard let date = date(day) else { return nil }
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = utc.timeZone
        let c = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        guard let start = iso.date(from: c), let end = utc.date(byAdding: .day, value: 6, to: start) else { return nil }
        return AssessmentPeriod(kind: .week, first: key(start), last: key(end), token: String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!))
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
            var iso = Calendar(identifier: .iso8601)
            iso.timeZone = utc.timeZone
            guard let start = iso.date(from: DateComponents(weekOfYear: w, yearForWeekOfYear: year)),
                  let found = week(containing: key(start)), found.token == t else { return nil }
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
        let day = AssessmentPeriod.key(AssessmentPeriod.date(first)!.addingTimeInterval(-86400))
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

