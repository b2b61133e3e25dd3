import Foundation
import XCTest
@testable import WanggeDomain

/// `WorkingCalendar` answers from a table of local days kept per year. These tests hold it to the
/// same arithmetic done with `Calendar` directly, over random moments in several years and time
/// zones — Shanghai, and two with daylight saving, whose days are 23 or 25 hours long.
final class LocalDayTableTests: XCTestCase {
    /// The calendar rules asked of `Calendar` every time, as `WorkingCalendar` did before the table.
    struct Reference {
        let calendar: Calendar
        let working: WorkingCalendar

        init(_ working: WorkingCalendar) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = working.timeZone
            self.calendar = calendar
            self.working = working
        }

        func isWorkingDay(_ date: Date) -> Bool {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let key = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            if working.workdays.contains(key) { return true }
            if working.holidays.contains(key) { return false }
            return c.weekday != 1 && c.weekday != 7
        }

        func at(_ minutes: Int, on day: Date) -> Date { calendar.startOfDay(for: day).addingTimeInterval(TimeInterval(minutes * 60)) }
        func nextDay(_ date: Date) -> Date { calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: date))! }

        func nextWorkingMoment(_ date: Date) -> Date {
            var day = date
            if isWorkingDay(day) {
                let minutes = date.timeIntervalSince(calendar.startOfDay(for: date)) / 60
                if minutes < Double(working.dayStart) { return at(working.dayStart, on: day) }
                if minutes < Double(working.dayEnd) { return day }
            }
            for _ in 0..<400 {
                day = nextDay(day)
                if isWorkingDay(day) { return at(working.dayStart, on: day) }
            }
            return date
        }

        func adding(workingDays n: Int, to start: Date) -> Date {
            let begin = nextWorkingMoment(start)
            let offset = begin.timeIntervalSince(calendar.startOfDay(for: begin))
            var day = begin
            var left = n
            while left > 0 {
                day = nextDay(day)
                if isWorkingDay(day) { left -= 1 }
            }
            return calendar.startOfDay(for: day).addingTimeInterval(offset)
        }

        func workingSeconds(from start: Date, to end: Date) -> TimeInterval {
            guard end > start else { return 0 }
            var total: TimeInterval = 0
            var day = calendar.startOfDay(for: start)
            while day < end {
                if isWorkingDay(day) {
                    let open = max(start, at(working.dayStart, on: day))
                    let close = min(end, at(working.dayEnd, on: day))
                    if close > open { total += close.timeIntervalSince(open) }
                }
                day = nextDay(day)
            }
            return total
        }
    }

    func check(_ zone: String, from: String, years: Double, samples: Int, seed: UInt64) {
        let working = WorkingCalendar(timeZone: TimeZone(identifier: zone)!)
        let reference = Reference(working)
        var random = SplitMix64(seed: seed)
        let origin = ISO8601DateFormatter().date(from: from)!
        for _ in 0..<samples {
            // Whole quarter hours, so that moments land on day boundaries and working-hour edges too.
            let quarters = Double(random.next() % UInt64(years * 365 * 96))
            let moment = origin.addingTimeInterval(quarters * 900)
            let days = Int(random.next() % 30)
            let context = "\(zone) \(moment) +\(days)"
            XCTAssertEqual(working.isWorkingDay(moment), reference.isWorkingDay(moment), context)
            XCTAssertEqual(working.nextWorkingMoment(moment), reference.nextWorkingMoment(moment), context)
            XCTAssertEqual(working.adding(workingDays: days, to: moment), reference.adding(workingDays: days, to: moment), context)
            let later = moment.addingTimeInterval(Double(random.next() % (20 * 86400)))
            XCTAssertEqual(working.workingSeconds(from: moment, to: later), reference.workingSeconds(from: moment, to: later), context)
        }
    }

    func testShanghaiAcrossTheShippedHolidayYearsAndBeyond() {
        check("Asia/Shanghai", from: "2023-06-01T00:00:00Z", years: 5, samples: 3000, seed: 1)
    }

    func testDaysOfTwentyThreeAndTwentyFiveHours() {
        check("Europe/Berlin", from: "2024-01-01T00:00:00Z", years: 3, samples: 1500, seed: 2)
        // Santiago moves its clocks at midnight, so some days begin at 01:00.
        check("America/Santiago", from: "2024-01-01T00:00:00Z", years: 3, samples: 1500, seed: 3)
    }

    func testMomentsBeforeAndAfterTheKeptYearsAreStillAnswered() {
        let working = WorkingCalendar()
        let reference = Reference(working)
        for text in ["1965-03-05T02:00:00Z", "1969-12-31T20:00:00Z", "2230-07-04T09:15:00Z"] {
            let moment = ISO8601DateFormatter().date(from: text)!
            XCTAssertEqual(working.adding(workingDays: 3, to: moment), reference.adding(workingDays: 3, to: moment), text)
            XCTAssertEqual(working.isWorkingDay(moment), reference.isWorkingDay(moment), text)
        }
    }

    func testAnEarlierYearAfterALaterOneKeepsTheDaysInOrder() {
        let working = WorkingCalendar()
        let reference = Reference(working)
        // Asked for 2026 first, then 2019, then 2030: the kept span grows both ways.
        for text in ["2026-05-01T03:00:00Z", "2019-12-31T17:00:00Z", "2030-02-11T01:00:00Z", "2022-10-07T08:00:00Z"] {
            let moment = ISO8601DateFormatter().date(from: text)!
            XCTAssertEqual(working.adding(workingDays: 5, to: moment), reference.adding(workingDays: 5, to: moment), text)
        }
    }
}
