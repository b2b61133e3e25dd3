import Foundation
import XCTest

@testable import WanggeDomain

/// A map's markers are coloured from the moments kept on each case's row, as the areas' counts beside
/// them are; with red at the deadline that is the colour the case's own clocks give, minute by minute.
final class StoredWarningTests: XCTestCase {
    private let calendar = WorkingCalendar()

    func testTheStoredMomentsGiveTheClocksOwnColourThroughTheClock() throws {
        let monday = try XCTUnwrap(ISO8601DateFormatter().date(from: "2026-11-23T01:50:00Z")) // 09:50 in Beijing
        let policy = SLAPolicy(accept: .minutes(60), resolve: .workingDays(3), reply: .minutes(24 * 60))
        let clocks = [
            CaseDeadlines.atIntake(monday, policy: policy, calendar: calendar),
            CaseDeadlines(resolve: Deadline(startedAt: monday, dueAt: SLADuration.workingDays(3).due(from: monday, calendar: calendar),
                                            duration: .workingDays(3))),
        ]
        for thresholds in [WarningThresholds(), WarningThresholds(blue: 0.75, yellow: 0.9)] {
            for deadlines in clocks {
                let times = try XCTUnwrap(deadlines.thresholdTimes(thresholds, calendar: calendar))
                let due = try XCTUnwrap(deadlines.nextDue)
                var seen: Set<WarningLevel> = []
                var now = monday.addingTimeInterval(-3600)
                while now < due.addingTimeInterval(3600) {
                    let clock = deadlines.warning(at: now, thresholds: thresholds, calendar: calendar)
                    XCTAssertEqual(WarningLevel.stored(blue: times.blue, yellow: times.yellow, due: due, at: now), clock, "\(now), \(thresholds)")
                    seen.insert(clock)
                    now.addTimeInterval(deadlines.running?.duration == .minutes(60) ? 60 : 7 * 60)
                }
                XCTAssertEqual(seen, Set(WarningLevel.allCases), "every colour met on the way")
            }
        }
    }

    /// As SQL compares them, a missing moment is never past: a case with no running clock has no colour.
    func testNoMomentNoColour() {
        let past = Date(timeIntervalSince1970: 0), now = Date(timeIntervalSince1970: 100)
        XCTAssertEqual(WarningLevel.stored(blue: nil, yellow: nil, due: nil, at: now), .none)
        XCTAssertEqual(WarningLevel.stored(blue: past, yellow: past, due: nil, at: now), .none)
        XCTAssertEqual(WarningLevel.stored(blue: past, yellow: nil, due: now.addingTimeInterval(1), at: now), .none)
        XCTAssertEqual(WarningLevel.stored(blue: nil, yellow: nil, due: now, at: now), .red, "due at this very moment is red")
        XCTAssertEqual(WarningLevel.stored(blue: nil, yellow: now, due: now.addingTimeInterval(1), at: now), .yellow)
        XCTAssertEqual(WarningLevel.stored(blue: now, yellow: now.addingTimeInterval(1), due: now.addingTimeInterval(2), at: now), .blue)
    }
}
