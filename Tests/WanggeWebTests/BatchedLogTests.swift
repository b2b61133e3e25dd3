import Foundation
import WanggePersistence
import XCTest

@testable import WanggeWeb

/// The server's writer and the generator's append their commits to SQLite's log through
/// `wangge_batched_wal_vfs` (one `pwrite` a commit's run of frames instead of two a frame). What they
/// commit must be in the file for every other connection the moment the commit returns, whatever its
/// size, and a transaction too large for the writer's cache (whose pages SQLite writes to the log
/// before the commit and reads back) must come out whole.
final class BatchedLogTests: XCTestCase {
    private struct RolledBack: Error {}

    private func withProbe(_ body: (ProbeLog) async throws -> Void) async throws {
        try await withApp(demo: false) { t in
            guard let probe = try await ProbeLog(t) else { return }
            try await body(probe)
        }
    }

    func testTheWritingConnectionsGoThroughTheBatchedLogAndTheCheckpointersDoNot() async throws {
        try await withApp(demo: false) { t in
            guard t.database == .sqlite else { return }
            let path = t.app.wanggeConfig.sqlitePath
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .server).vfsName, "wangge-batched-wal")
            XCTAssertEqual(try GenerateCommand.bulkWriter(t.app)?.vfsName, "wangge-batched-wal")
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .checkpoints).vfsName, "unix")
            XCTAssertEqual(try SQLiteWriteConnection(path: path, purpose: .bulkLoadCheckpoints).vfsName, "unix")
        }
    }

    /// Small commits one after another, each read back at once by another connection; then one commit
    /// of 300 rows (about 2.7 MB of log, more than the VFS gathers and far more than one `pwrite` of the
    /// default VFS takes).
    func testEveryCommitIsInTheFileWhenItReturnsWhateverItsSize() async throws {
        try await withProbe { probe in
            for n in 1...40 {
                try await probe.write(n...n)
                let after = try await probe.seen()
                XCTAssertEqual(after.rows, n)
                XCTAssertEqual(after.newest, n, "commit \(n) not visible to another connection when it returned")
            }
            try await probe.write(41...340)
            let after = try await probe.seen()
            XCTAssertEqual(after.rows, 340)
            XCTAssertEqual(after.newest, 340)
            XCTAssertEqual(after.bytes, 340 * ProbeLog.filler.count)
            let check = try await probe.integrityCheck()
            XCTAssertEqual(check, "ok")
        }
    }

    /// With a cache of 20 pages, a 300-row transaction spills its pages to the log before it commits
    /// and reads them back to update a row; a rolled-back one leaves nothing, and the next commit reads whole.
    func testATransactionLargerThanTheCacheAndARollbackComeOutRight() async throws {
        try await withProbe { probe in
            try await probe.write(1...1)  // opens the connection
            try probe.writer.execute("PRAGMA cache_size=20")
            // The update finds row 5 by reading the whole table back, pages spilled to the log among them.
            let changed = try await probe.write(2...300) { rows in
                try await rows.update("probe_log", set: [(name: "filler", value: .text("改过"))], where: [(name: "n", value: .int(5))])
            }
            XCTAssertEqual(changed, 1)
            var after = try await probe.seen()
            XCTAssertEqual(after.rows, 300)
            XCTAssertEqual(after.bytes, 299 * ProbeLog.filler.count + 2)

            do {
                try await probe.write(301...600) { _ in throw RolledBack() }
                XCTFail("the transaction was not rolled back")
            } catch is RolledBack {}
            after = try await probe.seen()
            XCTAssertEqual(after.rows, 300, "a rolled-back transaction left rows")

            try await probe.write(301...302)
            after = try await probe.seen()
            XCTAssertEqual(after.rows, 302)
            XCTAssertEqual(after.newest, 302)
            XCTAssertEqual(after.bytes, 301 * ProbeLog.filler.count + 2)
            let check = try await probe.integrityCheck()
            XCTAssertEqual(check, "ok")
        }
    }
}
