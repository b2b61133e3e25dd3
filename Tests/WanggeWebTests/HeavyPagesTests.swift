import Foundation
import Vapor
import XCTest
import WanggePersistence
import XCTVapor
@testable import WanggeWeb

/// The pages whose work grows with an area run on a lane of their own (`HeavyPages`), so that while they
/// compute, everyone else's requests are still answered.
final class HeavyPagesTests: XCTestCase {
    /// Twice as many heavy pages as there are cores, each held inside its handler the way a long SQLite read
    /// holds its thread: a citizen's report, its tracking, the tracking form and the API's ping are answered
    /// while they are held. Registered with `get` instead, the held pages take every thread that runs tasks, and
    /// the others wait until the gate opens by itself (after 10 s), which fails the test.
    func testQuickRequestsAreAnsweredWhileHeavyPagesHoldTheirThreads() async throws {
        try await withApp { t in
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let gate = Gate(opensAfter: 10)
            defer { gate.open() }
            t.app.getHeavy("held-heavy-page") { _ in
                gate.enterAndWait()
                return "done"
            }
            let pages = Task {
                try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for _ in 0..<(2 * cores) { group.addTask { try await t.api(.GET, "/held-heavy-page").status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            while gate.entered < cores { try await Task.sleep(nanoseconds: 10_000_000) }

            let created = try await t.report(["channel": "citizen", "description": "路灯不亮,晚上看不见路", "categoryCode": "0105",
                                              "location": ["lat": 30.21, "lon": 120.01]])
            let code = created.json["queryCode"] as? String ?? "-"
            let answered = [created.status, try await t.status(.GET, "/api/v1/track/\(code)"), try await t.status(.GET, "/track"),
                            try await t.status(.GET, "/api/v1/ping")]
            XCTAssertFalse(gate.isOpen, "answered while the heavy pages were held")
            XCTAssertEqual(answered, [.created, .ok, .ok, .ok])

            gate.open()
            let statuses = try await pages.value
            XCTAssertEqual(statuses, Array(repeating: .ok, count: 2 * cores))
        }
    }

    /// The pages a leader, a dispatcher or an administrator opens to see a whole area, and the API's and
    /// Open311's lists of the same kind, are all on the lane; a case's page, a queue and intake are not.
    func testThePagesOfWholeAreasAreOnTheLaneAndCasePagesAreNot() async throws {
        try await withApp(demo: false) { t in
            var heavy: Set<String> = []
            for route in t.app.routes.all where route.userInfo[HeavyPages.mark] != nil {
                heavy.insert("\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/"))
            }
            for page in ["/overview", "/dashboard", "/assessment", "/assessment/index", "/reports", "/reports/export.csv", "/reports/export.xlsx",
                         "/maps/grids.svg", "/admin/units/:code", "/admin/users", "/admin/departments", "/admin/categories",
                         "/api/v1/assessment/summary", "/api/v1/assessment/rankings", "/api/v1/assessment/index", "/api/v1/org-units",
                         "/api/v1/users", "/open311/v2/:file"] {
                XCTAssertTrue(heavy.contains("GET " + page), "\(page) on the lane")
            }
            for page in ["/api/v1/cases", "/api/v1/cases/:code", "/api/v1/track/:queryCode", "/cases/:code", "/work", "/grid", "/report", "/track",
                         "/api/v1/ping", "/inbox"] {
                XCTAssertFalse(heavy.contains("GET " + page), "\(page) on the event loops")
            }
            XCTAssertFalse(heavy.contains { $0.hasPrefix("POST") })
        }
    }
}

/// A lane of several threads takes its jobs one at a time: a job that waits for another queued behind it while every
/// thread was busy is not stuck with it on one thread.
final class LaneThreadsTests: XCTestCase {
    func testAJobQueuedBehindAWaitingJobRunsOnAnotherThread() async throws {
        let lane = WriterThread(name: "wangge-test-lane", threads: 2)
        let busy = Gate(opensAfter: 10)
        // Opened by the second job, or by itself after 3 s (then the first job waited in vain).
        let second = Gate(opensAfter: 3)
        let secondRan = Gate(opensAfter: 60)
        // Both threads held, then two jobs queued behind them: the first waits for the second to run.
        let holders = (0..<2).map { _ in Task { await withTaskExecutorPreference(lane) { busy.enterAndWait() } } }
        while busy.entered < 2 { try await Task.sleep(nanoseconds: 5_000_000) }
        let first = Task { await withTaskExecutorPreference(lane) { () -> Bool in
            second.enterAndWait()
            return secondRan.isOpen
        } }
        try await Task.sleep(nanoseconds: 50_000_000)
        let other = Task { await withTaskExecutorPreference(lane) {
            secondRan.open()
            second.open()
        } }
        try await Task.sleep(nanoseconds: 50_000_000)
        busy.open()
        let sawTheOther = await first.value
        await other.value
        for holder in holders { await holder.value }
        XCTAssertTrue(sawTheOther, "the second job ran while the first waited for it")
    }
}

/// Holds each caller's thread until opened, as a long read holds it; counts who came in. It opens by itself
/// after `seconds`, from a thread of Dispatch's, which runs even when every thread that runs tasks is held.
private final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0
    private var opened = false

    init(opensAfter seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in self?.open() }
    }

    var entered: Int { condition.withLock { count } }
    var isOpen: Bool { condition.withLock { opened } }

    func enterAndWait() {
        condition.lock()
        count += 1
        while !opened { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        opened = true
        condition.broadcast()
        condition.unlock()
    }
}
