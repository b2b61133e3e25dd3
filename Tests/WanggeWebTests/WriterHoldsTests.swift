import FluentKit
import Foundation
import SQLKit
import Synchronization
import XCTest

@testable import WanggePersistence
@testable import WanggeWeb

/// On SQLite one writer works at a time, so a slow write holds up every report and transition behind
/// it. How long each write and each restart of the log held the writers is on `/metrics`, so an
/// operator can tell a stalled writer from a slow page.
final class WriterHoldsTests: XCTestCase {
    /// The count of holds of a kind, and of those no longer than `le` seconds, from `/metrics`.
    private func holds(_ t: TestContext, _ kind: String, le: String = "+Inf") async throws -> Int? {
        let body = try await t.api(.GET, "/metrics").body
        let pattern = #"wangge_writer_hold_seconds_bucket\{kind="\#(kind)",le="\#(NSRegularExpression.escapedPattern(for: le))"\} (\d+)"#
        guard let match = body.range(of: pattern, options: .regularExpression) else { return nil }
        return Int(body[match].split(separator: " ").last!)
    }

    func testEveryWriteAndRestartOfTheLogIsTimedAndASlowOneStandsOut() async throws {
        try await withApp(demo: false) { t in
            WriterHoldMetrics.observe(t.app) // as `wangge serve` does
            guard t.database == .sqlite else {
                let none = try await holds(t, "transaction")
                XCTAssertNil(none, "PostgreSQL has no single writer to watch")
                return
            }
            let before = try await holds(t, "transaction") ?? 0
            let quickBefore = try await holds(t, "transaction", le: "0.25") ?? 0
            try await t.app.db.writeTransaction { db in
                try await (db as! any SQLDatabase).raw("CREATE TABLE probe_holds (n INTEGER)").run()
            }
            try await t.app.db.writeTransaction { db in
                try await (db as! any SQLDatabase).raw("INSERT INTO probe_holds VALUES (1)").run()
                try await Task.sleep(for: .milliseconds(300))
            }
            let after = try await holds(t, "transaction")
            let quickAfter = try await holds(t, "transaction", le: "0.25")
            XCTAssertEqual(after, before + 2, "both writes are counted")
            XCTAssertEqual(quickAfter, quickBefore + 1, "the write that slept 300 ms is above the 250 ms bucket, the other below it")

            let restarts = try await holds(t, "log_restart") ?? 0
            let round = try await WALCheckpoints(path: t.app.wanggeConfig.sqlitePath, restartAtPages: 1).round()
            XCTAssertNotNil(round, "the round was not kept out by another checkpoint")
            let restartsAfter = try await holds(t, "log_restart")
            XCTAssertEqual(restartsAfter, restarts + 1, "the round that restarted the log held the writers once, and says so")
        }
    }

    /// 300,000 holds: weeks of a busy county's write transactions, minutes of full intake. Each reaches
    /// the observer as the first did: the observer is not re-wrapped at every read (a closure kept in
    /// the lock itself was, swiftlang/swift#91348, so the writer's every call went one pair of thunks
    /// deeper, and this test overflowed the stack).
    func testAServerThatHasWrittenForWeeksStillRecordsEveryHold() {
        let counted = Mutex((count: 0, total: Duration.zero))
        WriterHolds.observe { _, held in counted.withLock { $0.count += 1; $0.total += held } }
        defer { WriterHolds.observe(nil) }
        for _ in 0..<300_000 {
            WriterHolds.record(.transaction, .microseconds(500))
        }
        let (count, total) = counted.withLock { $0 }
        XCTAssertEqual(count, 300_000)
        XCTAssertEqual(total, .seconds(150))
    }
}
