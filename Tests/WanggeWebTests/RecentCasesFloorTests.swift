import Foundation
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// The duplicate hints' window floor is kept between requests on SQLite (`RecentCasesFloor`): read once, used while
/// the window's start moves on less than an hour, read again after that or when the start moves back; and the hints
/// found with a kept floor are the ones a fresh read finds.
final class RecentCasesFloorTests: XCTestCase {
    func testAFloorIsKeptForAnHourOfTheWindowsStartAndReadAgainAfter() async throws {
        let floor = RecentCasesFloor()
        var reads = 0
        func read(_ id: Int?) -> () async throws -> Int? { { reads += 1; return id } }
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let first = try await floor.firstID(since: start, read: read(100))
        XCTAssertEqual(first, 100)
        let kept = try await floor.firstID(since: start.addingTimeInterval(3_599), read: read(140))
        XCTAssertEqual(kept, 100, "a floor read for an earlier start still bounds the later window")
        XCTAssertEqual(reads, 1)
        let back = try await floor.firstID(since: start.addingTimeInterval(-1), read: read(90))
        XCTAssertEqual(back, 90, "an earlier start than the kept one is read")
        let later = try await floor.firstID(since: start.addingTimeInterval(-1 + 3_600), read: read(150))
        XCTAssertEqual(later, 150, "an hour on, the floor is read again")
        XCTAssertEqual(reads, 3)
        let none = try await floor.firstID(since: start.addingTimeInterval(90_000), read: read(nil))
        XCTAssertNil(none, "no case in the window")
        let again = try await floor.firstID(since: start.addingTimeInterval(90_001), read: read(300))
        XCTAssertEqual(again, 300, "nothing found is not kept")
        XCTAssertEqual(reads, 5)
    }

    /// Staff reports of one spot within the hour: each is hinted every earlier one, the floor kept from the first.
    func testReportsWithinTheHourAreHintedEveryEarlierOneWithAKeptFloor() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for n in 0..<4 {
                let report = try await t.report(["channel": "window", "description": "井盖又坏了(第\(n + 1)次反映)", "categoryCode": "0101",
                                                 "location": ["lat": spot.lat + 0.0001 * Double(n), "lon": spot.lon]], token: dispatcher)
                XCTAssertEqual(report.status, .created, "\(report.json)")
                let hinted = (report.json["duplicateHints"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
                XCTAssertEqual(hinted, codes.reversed(), "[\(t.database)] report \(n + 1) is hinted every earlier one, newest first")
                codes.append(try XCTUnwrap(report.json["code"] as? String))
                t.clock.advance(600)
            }
            // The case page's hints and the API's agree with a fresh read of the window.
            let hints = try await t.api(.GET, "/api/v1/cases/\(codes[0])/duplicates", token: dispatcher).body.jsonArray()
            XCTAssertEqual(hints.compactMap { $0["code"] as? String }, codes.dropFirst().reversed())
        }
    }
}
