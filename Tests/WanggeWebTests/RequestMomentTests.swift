import Foundation
import Vapor
import WanggeDomain
import XCTest
import XCTVapor
@testable import WanggeWeb

/// One answer speaks of one instant: `req.now` is the application's clock read once per request.
final class RequestMomentTests: XCTestCase {
    func testAListColoursEveryCaseAtTheSameMomentWhileTheClockMoves() async throws {
        try await withApp { t in
            t.clock.now = SLATests.monday
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for _ in 0..<12 {
                let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append(try XCTUnwrap(r.json["code"] as? String))
            }
            let dispatcher = try await t.token("dispatcher-dh")
            // Reported at 09:00, to be registered within the hour (blue from half the hour, yellow near its end, red
            // from 10:00). From 09:38 the clock moves two minutes at every read, so a list that read it once per case
            // would colour its twelve cases over 24 minutes: blue, yellow and red (as it did before).
            t.clock.now = SLATests.monday.addingTimeInterval(38 * 60)
            let clock = t.clock
            t.app.clock = WanggeClock {
                clock.advance(2 * 60)
                return clock.now
            }
            let list = try await t.api(.GET, "/api/v1/cases?limit=50", token: dispatcher).body.json()
            t.app.clock = WanggeClock { clock.now }
            let items = try XCTUnwrap(list["items"] as? [[String: Any]]).filter { codes.contains($0["code"] as? String ?? "") }
            XCTAssertEqual(items.count, 12, "[\(t.database)] \(list)")
            let warnings = Set(items.compactMap { $0["warning"] as? String })
            XCTAssertEqual(warnings.count, 1, "[\(t.database)] cases reported together, coloured at one moment: \(warnings)")
        }
    }
}
