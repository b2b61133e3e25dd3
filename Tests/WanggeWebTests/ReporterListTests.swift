import Foundation
import XCTest
import XCTVapor
@testable import WanggeWeb

/// The cases a person reported, in lists filtered by state: the open ones are found from the oldest
/// open case on (`CaseAccess.visible`'s `reportsFrom`), the finished ones as before.
final class ReporterListTests: XCTestCase {
    func testReportersFindTheirOwnOpenAndFinishedCasesInStateLists() async throws {
        try await withApp { t in
            let grid1 = try await t.token("grid1")
            let citizen = try await t.token("citizen")
            let dispatcher = try await t.token("dispatcher")
            func report(_ grid: String, token: String) async throws -> String {
                let spot = try t.centre(of: grid)
                let r = try await t.report(["channel": "citizen", "description": "道路坑洼积水严重", "location": ["lat": spot.lat, "lon": spot.lon]], token: token)
                return try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
            }
            func codes(_ query: String, token: String) async throws -> [String] {
                try await t.casePage(query, token: token).codes
            }
            // The grid worker's own report, outside their grid: the oldest open case of all.
            let workers = try await report("330110002001-01", token: grid1)
            let open = try await report("330110002001-01", token: citizen)
            let refused = try await report("330110002001-01", token: citizen)
            try await t.act(refused, "reject", token: dispatcher, ["note": "不属于受理范围"])

            let workerOpen = try await codes("status=reported", token: grid1)
            XCTAssertEqual(workerOpen, [workers], "[\(t.database)] the oldest open case is theirs and is listed")
            let citizenOpen = try await codes("status=reported", token: citizen)
            XCTAssertEqual(citizenOpen, [open])
            let citizenRefused = try await codes("status=rejected", token: citizen)
            XCTAssertEqual(citizenRefused, [refused], "a finished case is found with no bound")
            let citizenAll = try await codes("", token: citizen)
            XCTAssertEqual(citizenAll, [refused, open])
        }
    }
}
