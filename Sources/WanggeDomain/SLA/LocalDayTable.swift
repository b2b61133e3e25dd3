import Foundation

/// A working calendar's local days — where each starts and whether it is worked — worked out with
/// Foundation's `Calendar` a year at a time and kept. Deadline arithmetic asks both questions for
/// every day it steps over, and each `Calendar` answer costs microseconds (it was a tenth of
/// `wangge generate` and part of every intake and transition).
final class LocalDayTable: @unchecked Sendable {
    /// Consecutive local days from January 1 of `firstYear`: their starts (seconds since 1970) with
    /// the start of the day after the last one at the end, and whether each is a working day.
    private struct Span {
        var firstYear: Int
        var lastYear: Int
        var starts: [Double]
        var working: [Bool]
    }

    /// Years outside this range are answered by `Calendar` each time rather than kept.
    private static let keptYears = 1970...2200

    private let calendar: Calendar
    private let isWorkingDay: @Sendable (Date) -> Bool
    private let lock = NSLock()
    private var span: Span?

    /// `isWorkingDay` decides one day the slow way; it is asked once per kept day.
    init(calendar: Calendar, isWorkingDay: @escaping @Sendable (Date) -> Bool) {
        self.calendar = calendar
        self.isWorkingDay = isWorkingDay
    }

    /// The local day holding `date`: its start, the next day's start, and whether it is worked.
    func day(containing date: Date) -> (start: Date, next: Date, working: Bool) {
        let t = date.timeIntervalSince1970
        if let kept = lock.withLock({ span }), let found = Self.find(t, in: kept) { return found }
        let year = calendar.component(.year, from: date)
        guard Self.keptYears.contains(year) else { return slowDay(containing: date) }
        let grown = lock.withLock { () -> Span in
            let grown = grow(span, toInclude: year)
            span = grown
            return grown
        }
        return Self.find(t, in: grown) ?? slowDay(containing: date)
    }

    private static func find(_ t: Double, in span: Span) -> (start: Date, next: Date, working: Bool)? {
        let starts = span.starts
        guard let first = starts.first, let last = starts.last, t >= first, t < last else { return nil }
        // The last start at or before t.
        var low = 0, high = starts.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= t { low = middle } else { high = middle }
        }
        return (Date(timeIntervalSince1970: starts[low]), Date(timeIntervalSince1970: starts[low + 1]), span.working[low])
    }

    private func slowDay(containing date: Date) -> (start: Date, next: Date, working: Bool) {
        let start = calendar.startOfDay(for: date)
        return (start, startOfDay(after: start), isWorkingDay(start))
    }

    /// Where the local day after the one starting at `start` begins (also on days of 23 or 25 hours).
    private func startOfDay(after start: Date) -> Date {
        calendar.startOfDay(for: calendar.date(byAdding: .day, value: 1, to: start)!)
    }

    /// The span widened to whole years so that it holds `year` and stays contiguous.
    private func grow(_ span: Span?, toInclude year: Int) -> Span {
        guard let span else { return days(from: year, through: year) }
        if year >= span.firstYear, year <= span.lastYear { return span }
        if year < span.firstYear {
            var earlier = days(from: year, through: span.firstYear - 1)
            earlier.starts.removeLast()
            return Span(firstYear: year, lastYear: span.lastYear, starts: earlier.starts + span.starts, working: earlier.working + span.working)
        }
        let later = days(from: span.lastYear + 1, through: year)
        return Span(firstYear: span.firstYear, lastYear: year, starts: Array(span.starts.dropLast()) + later.starts, working: span.working + later.working)
    }

    private func days(from firstYear: Int, through lastYear: Int) -> Span {
        var day = calendar.date(from: DateComponents(year: firstYear, month: 1, day: 1))!
        day = calendar.startOfDay(for: day)
        let end = calendar.startOfDay(for: calendar.date(from: DateComponents(year: lastYear + 1, month: 1, day: 1))!)
        var starts: [Double] = []
        var working: [Bool] = []
        while day < end {
            starts.append(day.timeIntervalSince1970)
            working.append(isWorkingDay(day))
            day = startOfDay(after: day)
        }
        starts.append(end.timeIntervalSince1970)
        return Span(firstYear: firstYear, lastYear: lastYear, starts: starts, working: working)
    }
}
