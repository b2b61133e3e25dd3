import Foundation
@testable import WanggeDomain
import XCTest

/// Pages show times as `2026-12-03 14:05` in the installation's zone; the arithmetic must write
/// exactly what Foundation's formatter writes, across zones with half hours and summer time.
final class LocalTimeTests: XCTestCase {
    func testMinutesMatchDateFormatterInEveryKindOfZone() throws {
        var random = SystemRandomNumberGenerator()
        for zoneName in ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"] {
            let zone = try XCTUnwrap(TimeZone(identifier: zoneName))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            // 1901 to 2099, with sub-second parts, and the edges of a minute and a day.
            var dates = (0..<2_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_177_452_800 ... 4_102_444_800, using: &random)) }
            dates += [0, -0.5, 59.999, 60, 86_399.9, 86_400, -86_400.25, 1_793_000_000, 1_796_313_599.9996, -1_373_445_240.0002]
                .map(Date.init(timeIntervalSince1970:))
            for date in dates {
                XCTAssertEqual(LocalTime.minute(date, timeZone: zone), formatter.string(from: date), "\(zoneName) \(date.timeIntervalSince1970)")
            }
        }
    }

    func testAShanghaiEveningIsTheSameDayAndTheNextMorningTheNext() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "Asia/Shanghai"))
        XCTAssertEqual(LocalTime.minute(Date(timeIntervalSince1970: 1_796_313_540), timeZone: zone), "2026-12-03 23:59")
        XCTAssertEqual(LocalTime.minute(Date(timeIntervalSince1970: 1_796_313_600), timeZone: zone), "2026-12-04 00:00")
    }
}
