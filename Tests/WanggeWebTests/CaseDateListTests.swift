import Foundation
import SQLKit
import WanggeDomain
@testable import WanggePersistence
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

    /// A search within dates finds the cases reported in them, newest first by id, a page at a time: the first moment
    /// in, the last out, whatever order ids and times of report are in, indexed or still queued. On SQLite a window that
    /// ended long ago keeps the walk of the matches to the ids reported in it (`reportedIDs`).
    func testASearchWithinDatesFindsTheCasesReportedInThem() async throws {
        try await withApp { t in
            let start = t.clock.now
            let day = 86400.0
            let spot = try t.centre(of: "330110001001-01")
            func report(_ description: String) async throws -> String {
                let r = try await t.report(["channel": "citizen", "description": description, "categoryCode": "0101",
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
                return try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
            }
            func lamp(_ days: Double) async throws -> String {
                t.clock.now = start.addingTimeInterval(days * day)
                return try await report("柏树街路灯不亮")
            }
            // Days 0 and 10; then, with the clock set back, day 5 and an hour after it (later ids, earlier times).
            let a = try await lamp(0), b = try await lamp(10), c = try await lamp(5), d = try await lamp(5 + 1 / 24)
            _ = try await report("柏树街井盖松动")
            let e = try await lamp(100)
            try await t.app.indexSearchTerms()
            let f = try await lamp(101)
            let dispatcher = try await t.token("dispatcher")
            func search(_ from: Double, _ to: Double) async throws -> [String] {
                let iso = ISO8601DateFormatter()
                let window = "from=\(iso.string(from: start.addingTimeInterval(from * day)))&to=\(iso.string(from: start.addingTimeInterval(to * day)))"
                return try await t.casePages("q=%E8%B7%AF%E7%81%AF&limit=1&\(window.replacingOccurrences(of: "+", with: "%2B"))", token: dispatcher)
            }
            let around5 = try await search(4, 6)
            XCTAssertEqual(around5, [d, c])
            let toDay5 = try await search(0, 5)
            XCTAssertEqual(toDay5, [a], "the first moment in, the last out")
            let from5 = try await search(5, 10)
            XCTAssertEqual(from5, [d, c])
            let eleven = try await search(0, 11)
            XCTAssertEqual(eleven, [d, c, b, a])
            let none = try await search(1, 2)
            XCTAssertEqual(none, [])
            let all = try await search(0, 200)
            XCTAssertEqual(all, [f, e, d, c, b, a], "a window up to now, the queued report too")
            let late = try await search(100, 102)
            XCTAssertEqual(late, [f, e])
        }
    }

    /// On SQLite the page walks migration 018's (created_at, id) index (028's, widened) from its bound, first page or
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
                XCTAssertTrue(plan.contains(WidenCaseTimeIndex.index), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
            }
        }
    }
}
