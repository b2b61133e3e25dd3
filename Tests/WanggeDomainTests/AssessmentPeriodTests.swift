import Foundation
import XCTest
@testable import WanggeDomain

/// `AssessmentPeriod` reckons days, weeks, months and quarters by arithmetic on day numbers. These tests hold it to the
/// same rules asked of `Calendar`, as it did before, over every day of a century and every token a URL may carry.
final class AssessmentPeriodTests: XCTestCase {
    /// The periods as `Calendar` and `String(format:)` made them.
    enum Reference {
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

        static func day(_ day: String) -> [String]? {
            guard let date = date(day), key(date) == day else { return nil }
            return [day, day, day]
        }

        static func month(year: Int, month: Int) -> [String] {
            let start = utc.date(from: DateComponents(year: year, month: month, day: 1))!
            let end = utc.date(byAdding: DateComponents(month: 1, day: -1), to: start)!
            return [key(start), key(end), String(format: "%04d-%02d", year, month)]
        }

        static func quarter(year: Int, quarter: Int) -> [String] {
            let start = utc.date(from: DateComponents(year: year, month: (quarter - 1) * 3 + 1, day: 1))!
            let end = utc.date(byAdding: DateComponents(month: 3, day: -1), to: start)!
            return [key(start), key(end), "\(year)-Q\(quarter)"]
        }

        static func week(containing day: String) -> [String]? {
            guard let date = date(day) else { return nil }
            var iso = Calendar(identifier: .iso8601)
            iso.timeZone = utc.timeZone
            let c = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            guard let start = iso.date(from: c), let end = utc.date(byAdding: .day, value: 6, to: start) else { return nil }
            return [key(start), key(end), String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)]
        }

        static func week(year: Int, week w: Int) -> [String]? {
            var iso = Calendar(identifier: .iso8601)
            iso.timeZone = utc.timeZone
            guard let start = iso.date(from: DateComponents(weekOfYear: w, yearForWeekOfYear: year)),
                  let found = week(containing: key(start)), found[2] == String(format: "%04d-W%02d", year, w) else { return nil }
            return found
        }
    }

    private func fields(_ p: AssessmentPeriod?) -> [String]? { p.map { [$0.first, $0.last, $0.token] } }

    func testEveryDayOfACenturyHasTheKeyWeekMonthAndNeighboursCalendarGives() {
        var date = Reference.date("1999-12-01")!
        var keys: [String] = []
        while Reference.key(date) <= "2101-01-31" {
            let key = Reference.key(date)
            keys.append(key)
            XCTAssertEqual(fields(AssessmentPeriod.day(key)), Reference.day(key), key)
            XCTAssertEqual(fields(AssessmentPeriod.week(containing: key)), Reference.week(containing: key), key)
            XCTAssertEqual(AssessmentPeriod.day(key, minus: 1), Reference.key(date.addingTimeInterval(-86400)), key)
            XCTAssertEqual(AssessmentPeriod.day(key, minus: -40), Reference.key(date.addingTimeInterval(40 * 86400)), key)
            date = date.addingTimeInterval(86400)
        }
        XCTAssertEqual(keys.count, 36_952)
        XCTAssertEqual(AssessmentPeriod.days(from: keys[0], through: keys[keys.count - 1]), keys, "a century's day keys in order")
        XCTAssertEqual(AssessmentPeriod.days(from: "2026-11-30", through: "2026-11-01"), [])
    }

    func testEveryTokenOfTheCenturyParsesAsCalendarReadsIt() {
        for year in 2000...2100 {
            XCTAssertEqual(fields(AssessmentPeriod.parse(String(year))), [String(year) + "-01-01", String(year) + "-12-31", String(year)])
            for month in 1...12 {
                let token = String(format: "%04d-%02d", year, month)
                XCTAssertEqual(fields(AssessmentPeriod.parse(token)), Reference.month(year: year, month: month), token)
            }
            for quarter in 1...4 {
                XCTAssertEqual(fields(AssessmentPeriod.parse("\(year)-Q\(quarter)")), Reference.quarter(year: year, quarter: quarter))
            }
            for week in 1...53 {
                let token = String(format: "%04d-W%02d", year, week)
                XCTAssertEqual(fields(AssessmentPeriod.parse(token)), Reference.week(year: year, week: week), token)
            }
        }
        XCTAssertNil(AssessmentPeriod.parse("2025-W53"), "2025 has 52 ISO weeks")
        XCTAssertEqual(fields(AssessmentPeriod.parse("2026-W53")), ["2026-12-28", "2027-01-03", "2026-W53"], "2026 begins on a Thursday: 53 weeks")
        XCTAssertEqual(fields(AssessmentPeriod.parse("2020-W53")), ["2020-12-28", "2021-01-03", "2020-W53"])
        XCTAssertEqual(fields(AssessmentPeriod.parse("2024-02")), ["2024-02-01", "2024-02-29", "2024-02"], "a leap February")
        XCTAssertEqual(fields(AssessmentPeriod.parse("2100-02")), ["2100-02-01", "2100-02-28", "2100-02"], "2100 is not a leap year")
    }

    func testMalformedDaysAreRefusedAsBefore() {
        for token in ["2026-02-30", "2026-13-01", "2026-00-10", "2026-11-00", "0000-01-01", "2026-1-05", "2026-11-2x", "abcd-ef-gh",
                      "20261123", "2026-11-23-1", "1600-02-29", "1700-02-29", "9999-12-31"] {
            XCTAssertEqual(fields(AssessmentPeriod.day(token)), Reference.day(token), token)
        }
        // Numbers too long for the arithmetic are refused, not overflowed.
        XCTAssertNil(AssessmentPeriod.day("999999999999999999-01-01"))
        XCTAssertEqual(AssessmentPeriod.days(from: "2026-01-01", through: "2026-99999999999999-01"), [])
        XCTAssertNil(AssessmentPeriod.week(containing: "2026-01-999999999999999999"))
    }

    func testEachPeriodsPredecessorAndCover() {
        let p = AssessmentPeriod.parse("2026-Q1")!
        XCTAssertEqual(fields(p.previous), Reference.quarter(year: 2025, quarter: 4))
        XCTAssertEqual(fields(AssessmentPeriod.parse("2026-W01")!.previous), Reference.week(year: 2025, week: 52))
        XCTAssertEqual(fields(AssessmentPeriod.parse("2026-01")!.previous), Reference.month(year: 2025, month: 12))
        let week = AssessmentPeriod.parse("2026-W05")!
        XCTAssertEqual(week.cover.months, [])
        XCTAssertEqual(week.cover.days, ["2026-01-26", "2026-01-27", "2026-01-28", "2026-01-29", "2026-01-30", "2026-01-31", "2026-02-01"])
        XCTAssertEqual(p.cover.months, ["2026-01", "2026-02", "2026-03"])
        XCTAssertEqual(p.cover.days, [])
    }
}
