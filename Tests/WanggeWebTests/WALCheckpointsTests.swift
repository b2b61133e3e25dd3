import FluentKit
import Foundation
import SQLKit
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// On SQLite the server's writer only appends to the write-ahead log; `WALCheckpoints` copies the
/// log into the file on its own thread and lets it start over. Nothing written may be lost on the
/// way, and under steady writes the log must stay short.
final class WALCheckpointsTests: XCTestCase {
    /// On SQLite only: a table to fill through the server's kind of write connection, and checkpoints that
    /// restart the log past 64 pages.
    private func withLog(_ body: (ProbeLog, WALCheckpoints) async throws -> Void) async throws {
        try await withApp(demo: false) { t in
            guard let probe = try await ProbeLog(t) else { return }
            try await body(probe, try WALCheckpoints(path: t.app.wanggeConfig.sqlitePath, restartAtPages: 64))
        }
    }

    /// The writer leaves even a long log alone; one round copies all of it, and the next write
    /// starts the log over.
    func testARoundCopiesTheLogAndTheNextWriteStartsItOver() async throws {
        try await withLog { probe, checkpoints in
            try await checkpoints.round()

            for n in 1...500 { try await probe.write(n...n) }
            let longRound = try await checkpoints.round()
            let long = try XCTUnwrap(longRound)
            XCTAssertGreaterThan(long.logPages, 1_000, "the writer no longer copies the log itself at SQLite's 1,000 pages")
            XCTAssertEqual(long.copiedPages, long.logPages, "a round copies the whole log")

            try await probe.write(501...501)
            let nextRound = try await checkpoints.round()
            let next = try XCTUnwrap(nextRound)
            XCTAssertLessThan(next.logPages, 10, "the write after a round starts the log over (\(next.logPages) pages)")
            let rows = try await probe.seen().rows
            XCTAssertEqual(rows, 501, "every row is there")
        }
    }

    /// With the server's own lengths the writer leaves the log to the checkpoints until it is past their
    /// restart length, and the round that finds it there starts it over. (With the writer's fallback at
    /// that same length, the writer copied the log itself in the commit that reached it and the next write
    /// started it over: the round found a short log.)
    func testTheWriterLeavesTheLogToTheCheckpointsPastTheirRestartLength() async throws {
        try await withApp(demo: false) { t in
            guard let probe = try await ProbeLog(t) else { return }
            let checkpoints = try WALCheckpoints(path: t.app.wanggeConfig.sqlitePath)
            try await checkpoints.round()
            // Each row is about 9 KB: 9,000 rows in transactions of 500 are past 80 MB of log.
            let rows = 9_000
            for first in stride(from: 1, through: rows, by: 500) { try await probe.write(first...(first + 499)) }
            let longRound = try await checkpoints.round()
            let long = try XCTUnwrap(longRound)
            XCTAssertGreaterThan(long.logPages, WALCheckpoints.defaultRestartAtPages,
                                 "the writer left the whole log to the checkpoints (\(long.logPages) pages)")
            XCTAssertEqual(long.copiedPages, long.logPages, "the round copies the whole log")

            try await probe.write((rows + 1)...(rows + 1))
            let nextRound = try await checkpoints.round()
            let next = try XCTUnwrap(nextRound)
            XCTAssertLessThan(next.logPages, 10, "the write after that round starts the log over (\(next.logPages) pages)")
            let seen = try await probe.seen().rows
            XCTAssertEqual(seen, rows + 1, "every row is there")
        }
    }

    /// Writers that never pause, rounds in between: the log starts over again and again instead of
    /// growing with every write, and every row is kept.
    func testUnderSteadyWritesTheLogStaysShort() async throws {
        try await withLog { probe, checkpoints in
            let writes = 3_000
            let logLengths = try await withThrowingTaskGroup(of: [Int].self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for n in stride(from: lane, to: writes, by: 4) { try await probe.write(n...n) }
                        return []
                    }
                }
                group.addTask {
                    var lengths: [Int] = []
                    for round in 0..<100 {
                        if round > 0 { try await Task.sleep(for: .milliseconds(5)) }
                        if let copied = try await checkpoints.round() { lengths.append(copied.logPages) }
                    }
                    return lengths
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let finalRound = try await checkpoints.round()
            let final = try XCTUnwrap(finalRound)
            // Each row adds four to five pages to the log: grown without a restart (as it did with
            // rounds that never held the writers back), it ended past 13,000.
            XCTAssertLessThan(logLengths.max() ?? 0, writes * 2, "the log started over while the writes went on: \(logLengths)")
            XCTAssertEqual(final.copiedPages, final.logPages, "the last round copies everything")
            let rows = try await probe.seen().rows
            XCTAssertEqual(rows, writes, "every row is there")
            let check = try await probe.integrityCheck()
            XCTAssertEqual(check, "ok")
        }
    }
}
