import Foundation
import XCTest
@testable import WanggeDomain

/// A local time in Shanghai, written as `2026-11-20 16:00`.
func at(_ text: String) -> Date {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    f.dateFormat = "yyyy-MM-dd HH:mm"
    return f.date(from: text)!
}

final class WorkingCalendarTests: XCTestCase {
    let calendar = WorkingCalendar()

    func testShippedSchedulesAreThe2025And2026Ones() {
        XCTAssertEqual(HolidayYear.shipped.map(\.year), [2025, 2026])
        let y2026 = HolidayYear.shipped[1]
        XCTAssertEqual(y2026.holidays.count, 3 + 9 + 3 + 5 + 3 + 3 + 7)
        XCTAssertEqual(y2026.workdays, ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"])
    }

    func testWeekendsHolidaysAndMakeUpDays() {
        XCTAssertTrue(calendar.isWorkingDay(at("2026-11-20 10:00")))   // Friday
        XCTAssertFalse(calendar.isWorkingDay(at("2026-11-21 10:00")))  // Saturday
        XCTAssertFalse(calendar.isWorkingDay(at("2026-10-05 10:00")))  // National Day holiday, a Monday
        XCTAssertTrue(calendar.isWorkingDay(at("2026-10-10 10:00")))   // make-up Saturday
        XCTAssertTrue(calendar.isWorkingDay(at("2026-09-20 10:00")))   // make-up Sunday
        XCTAssertFalse(calendar.isWorkingDay(at("2026-02-17 10:00")))  // Spring Festival
        XCTAssertTrue(calendar.isWorkingDay(at("2025-01-26 10:00")))   // 2025 make-up Sunday
    }

    func testThreeWorkingDaysAcrossAWeekend() {
        // Friday 16:00 + 3 working days = Wednesday 16:00.
        XCTAssertEqual(calendar.adding(workingDays: 3, to: at("2026-11-20 16:00")), at("2026-11-25 16:00"))
        // Reported on Saturday: counting starts Monday 08:30.
        XCTAssertEqual(calendar.adding(workingDays: 3, to: at("2026-11-21 11:00")), at("2026-11-26 08:30"))
        // After hours on a working day: the next morning.
        XCTAssertEqual(calendar.adding(workingDays: 1, to: at("2026-11-23 19:00")), at("2026-11-25 08:30"))
    }

    func testNationalDayHolidayAndTheMakeUpSaturday() {
        // Tuesday 29 September 2026, 10:00: 30 Sep is a working day, 1–7 Oct are off, 8 and 9 Oct (Thu, Fri)
        // work, Saturday 10 Oct is a make-up working day.
        XCTAssertEqual(calendar.adding(workingDays: 1, to: at("2026-09-29 10:00")), at("2026-09-30 10:00"))
        XCTAssertEqual(calendar.adding(workingDays: 2, to: at("2026-09-29 10:00")), at("2026-10-08 10:00"))
        XCTAssertEqual(calendar.adding(workingDays: 4, to: at("2026-09-29 10:00")), at("2026-10-10 10:00"))
        XCTAssertEqual(calendar.adding(workingDays: 5, to: at("2026-09-29 10:00")), at("2026-10-12 10:00"))
    }

    func testWorkingTimeBetweenTwoMoments() {
        // Friday 16:30 → Monday 09:30: one hour on Friday, one on Monday.
        XCTAssertEqual(calendar.workingSeconds(from: at("2026-11-20 16:30"), to: at("2026-11-23 09:30")), 2 * 3600)
        XCTAssertEqual(calendar.adding(workingSeconds: 2 * 3600, to: at("2026-11-20 16:30")), at("2026-11-23 09:30"))
    }

    /// Times worked out with one calendar hold for another with the same basis, whatever order its
    /// years came in; a day off more, or other hours, is another basis.
    func testTheBasisChangesWithTheDaysOffAndTheHoursOnly() {
        let shipped = HolidayYear.shipped
        XCTAssertEqual(WorkingCalendar(years: shipped.reversed()).basis, calendar.basis)
        var more = shipped
        more[1].holidays.append("2026-11-24")
        XCTAssertNotEqual(WorkingCalendar(years: more).basis, calendar.basis)
        XCTAssertFalse(WorkingCalendar(years: more).isWorkingDay(at("2026-11-24 10:00")))
        XCTAssertNotEqual(WorkingCalendar(dayStart: 9 * 60).basis, calendar.basis)
        XCTAssertNotEqual(WorkingCalendar(timeZone: TimeZone(identifier: "Asia/Urumqi")!).basis, calendar.basis)
    }

    func testAnAdministratorsYearIsValidated() throws {
        let good = #"{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}"#
        XCTAssertEqual(try HolidayYear.parse(Data(good.utf8)).year, 2027)
        for bad in [#"{"year": 2027, "holidays": ["2026-01-01"], "workdays": []}"#,
                    #"{"year": 2027, "holidays": ["2027-02-30"], "workdays": []}"#,
                    #"{"year": 2027, "holidays": ["2027-01-02"], "workdays": ["2027-01-02"]}"#,
                    #"{"holidays": []}"#] {
            XCTAssertThrowsError(try HolidayYear.parse(Data(bad.utf8)), bad)
        }
        // A year added by the administrator takes effect.
        let extra = WorkingCalendar(years: HolidayYear.shipped + [try HolidayYear.parse(Data(good.utf8))])
        XCTAssertFalse(extra.isWorkingDay(at("2027-01-01 10:00")))
    }
}

final class DeadlineTests: XCTestCase {
    let calendar = WorkingCalendar()

    func testThe131Clocks() {
        let start = at("2026-11-20 16:00")
        var d = CaseDeadlines.atIntake(start, policy: .standard, calendar: calendar)
        XCTAssertEqual(d.accept?.dueAt, at("2026-11-20 17:00"), "respond within 1 hour")
        let snapshot = CaseSnapshot(centreOrgCode: "330110001")
        XCTAssertEqual(d.nextDue, at("2026-11-20 17:00"), "the response clock runs")
        d = d.after(.register, previous: snapshot, at: at("2026-11-20 16:40"), policy: .standard, calendar: calendar)
        XCTAssertEqual(d.accept?.met, true)
        XCTAssertEqual(d.resolve?.dueAt, at("2026-11-25 16:40"), "resolve within 3 working days")
        XCTAssertEqual(d.nextDue, at("2026-11-25 16:40"), "a met clock no longer runs, however early its deadline")
        let dispatched = d.after(.dispatch, previous: snapshot, at: at("2026-11-23 09:00"), policy: .standard, calendar: calendar)
        XCTAssertEqual(dispatched.nextDue, at("2026-11-23 10:00"), "of two running clocks, the one due first")
        d = d.after(.submitResult, previous: snapshot, at: at("2026-11-24 11:00"), policy: .standard, calendar: calendar)
        XCTAssertEqual(d.resolve?.met, true)
        XCTAssertEqual(d.reply?.dueAt, at("2026-11-25 11:00"), "reply within 1 working day")
        d = d.after(.evaluate, previous: snapshot, at: at("2026-11-26 09:00"), policy: .standard, calendar: calendar)
        XCTAssertEqual(d.reply?.met, false, "replied late")
        XCTAssertNil(d.running)
    }

    func testAnApprovedExtensionMovesTheResolveDeadline() {
        var d = CaseDeadlines.atIntake(at("2026-11-20 09:00"), policy: .standard, calendar: calendar)
        var snapshot = CaseSnapshot(centreOrgCode: "330110001")
        d = d.after(.register, previous: snapshot, at: at("2026-11-20 09:00"), policy: .standard, calendar: calendar)
        let before = d.resolve!.dueAt
        snapshot.extensionRequested = true
        snapshot.requestedExtensionHours = 48
        d = d.after(.approveExtension, previous: snapshot, at: at("2026-11-23 09:00"), policy: .standard, calendar: calendar)
        XCTAssertEqual(d.resolve!.dueAt.timeIntervalSince(before), 48 * 3600)
        // A denied request moves nothing.
        let denied = d.after(.denyExtension, previous: snapshot, at: at("2026-11-23 09:00"), policy: .standard, calendar: calendar)
        XCTAssertEqual(denied.resolve?.dueAt, d.resolve?.dueAt)
    }

    func testWarningColoursAtEachThreshold() {
        let start = at("2026-11-20 10:00")
        let d = CaseDeadlines.atIntake(start, policy: .standard, calendar: calendar) // 60 minutes
        let thresholds = WarningThresholds()
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(29 * 60), thresholds: thresholds, calendar: calendar), .none)
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(30 * 60), thresholds: thresholds, calendar: calendar), .blue)
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(47 * 60), thresholds: thresholds, calendar: calendar), .blue)
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(48 * 60), thresholds: thresholds, calendar: calendar), .yellow)
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(60 * 60), thresholds: thresholds, calendar: calendar), .red)
        let custom = WarningThresholds(blue: 0.3, yellow: 0.6, red: 1.0)
        XCTAssertEqual(d.warning(at: start.addingTimeInterval(40 * 60), thresholds: custom, calendar: calendar), .yellow)
        let times = d.thresholdTimes(thresholds, calendar: calendar)
        XCTAssertEqual(times?.blue, start.addingTimeInterval(30 * 60))
        XCTAssertEqual(times?.yellow, start.addingTimeInterval(48 * 60))
    }

    func testWorkingDayWarningsCountOnlyWorkingTime() {
        // Resolve clock of 1 working day started Friday 16:30: half of it is used by Monday 08:30 + 3.5 h.
        let policy = SLAPolicy(accept: .minutes(60), resolve: .workingDays(1), reply: .workingDays(1))
        var d = CaseDeadlines.atIntake(at("2026-11-20 16:00"), policy: policy, calendar: calendar)
        d = d.after(.register, previous: CaseSnapshot(centreOrgCode: "x"), at: at("2026-11-20 16:30"), policy: policy, calendar: calendar)
        XCTAssertEqual(d.resolve?.dueAt, at("2026-11-23 16:30"))
        let thresholds = WarningThresholds()
        XCTAssertEqual(d.warning(at: at("2026-11-22 23:00"), thresholds: thresholds, calendar: calendar), .none, "the weekend does not count")
        XCTAssertEqual(d.warning(at: at("2026-11-23 12:00"), thresholds: thresholds, calendar: calendar), .blue)
        XCTAssertEqual(d.warning(at: at("2026-11-23 16:30"), thresholds: thresholds, calendar: calendar), .red)
    }

    func testPoliciesByCategoryAndUrgency() {
        let special = SLAPolicy(accept: .minutes(10), resolve: .workingDays(7), reply: .workingDays(1))
        let book = SLAPolicyBook(rules: [
            .init(urgency: .urgent, policy: .urgent),
            .init(categoryCode: "05", policy: special),
            .init(categoryCode: "0501", urgency: .urgent, policy: .critical),
        ])
        XCTAssertEqual(book.policy(category: "0101", urgency: .normal), .standard)
        XCTAssertEqual(book.policy(category: "0101", urgency: .urgent), .urgent)
        XCTAssertEqual(book.policy(category: "0502", urgency: .normal), special, "a subcategory inherits its category's rule")
        XCTAssertEqual(book.policy(category: "0501", urgency: .urgent), .critical, "the most specific rule wins")
        XCTAssertEqual(book.policy(category: nil, urgency: .urgent), .urgent)
    }
}
