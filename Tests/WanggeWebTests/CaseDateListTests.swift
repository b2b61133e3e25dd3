import Foundation
import SQLKit
import WanggeDomain
import XCTest
@testable import WanggeWeb

/// A list bounded by dates comes newest first by the time of report, paged by the last case's id, and
/// starts at its bound: cases reported out of id order (history brought in later) still come in time
/// order, every one once.
final class CaseDateListTests: XCTestCase {
    func testADateBoundListComesInTimeOrderAndPagesThroughEveryCaseOnce() async throws {
        try await withApp { t in
            let start = t.clock.now
            let spot = try t.centre(of: "330110001001-01")
            // Reported in id order at hours 3, 1, 5, 2, 6, 4.
            var codeAtHour: [Int: String] = [:]
            for hour in [3, 1, 5, 2, 6, 4] {
                t.clock.now = start.addingTimeInterval(Double(hour) * 3600)
                let r = try await t.report(["channel": "citizen", "description": "第\(hour)小时反映的路灯不亮", "categoryCode": "0101",
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
                codeAtHour[hour] = try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
            }
            t.clock.now = start.addingTimeInterval(7 * 3600)
            let dispatcher = try await t.token("dispatcher")
            func iso(_ hours: Double) -> String { ISO8601DateFormatter().string(from: start.addingTimeInterval(hours * 3600)) }
            func pages(_ query: String) async throws -> [[String]] {
                var result: [[String]] = []
                var cursor: String?
                repeat {
                    let page = try await t.casePage(query + (cursor.map { "&after=\($0)" } ?? ""), token: dispatcher)
                    result.append(page.codes)
                    cursor = page.next
                } while cursor != nil && result.count < 10
                return result
            }
            let before = try await pages("all=1&to=\(iso(5.5))&limit=2")
            XCTAssertEqual(before, [[5, 4], [3, 2], [1]].map { $0.map { codeAtHour[$0]! } })
            let between = try await pages("all=1&from=\(iso(1.5))&to=\(iso(5.5))&limit=3")
            XCTAssertEqual(between.flatMap { $0 }, [5, 4, 3, 2].map { codeAtHour[$0]! })
            // Without dates the list stays newest first by id: the last reported first.
            let undated = try await t.casePage("all=1&limit=6", token: dispatcher)
            XCTAssertEqual(Array(undated.codes.prefix(6)), [4, 6, 2, 5, 1, 3].map { codeAtHour[$0]! })
        }
    }

    /// On SQLite the page walks migration 018's (created_at, id) index from its bound, first page or
    /// later, with no sort.
    func testADateBoundPageWalksTheTimeIndex() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for cursor in ["", " AND created_at <= 1700000000 AND (created_at < 1700000000 OR id < 500)"] {
                let plan = try await sql.queryPlan("""
                    SELECT id FROM cases WHERE created_at < 1704038400\(unsafeRaw: cursor)
                    ORDER BY created_at DESC, id DESC LIMIT 20
                    """)
                XCTAssertTrue(plan.contains("idx_cases_created_at_id"), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
            }
        }
    }
}
