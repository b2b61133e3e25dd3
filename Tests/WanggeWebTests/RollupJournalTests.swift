import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import XCTest
import XCTVapor
@testable import WanggePersistence
@testable import WanggeWeb

/// Reports' rollup entries wait in the rollup journal and reach the rollups in folds: each report counted
/// once, whoever folds and whenever, and every reader sees every report made before it reads.
final class RollupJournalTests: XCTestCase {
    private let grids = ["330110001001-01", "330110001002-01", "330110002001-01", "330110001001-02"]

    /// Reports `count` citizen cases over the demo grids through the API.
    private func report(_ t: TestContext, _ count: Int) async throws {
        for n in 0..<count {
            let spot = try t.centre(of: grids[n % grids.count])
            let r = try await t.report(["channel": "citizen", "description": "路灯不亮,晚上很黑 \(n)",
                                        "categoryCode": n % 3 == 0 ? "0101" : "0201", "location": ["lat": spot.lat, "lon": spot.lon]])
            XCTAssertEqual(r.status, .created, "\(r.json)")
        }
    }

    private func journalTexts(_ t: TestContext) async throws -> [String] {
        let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
        return try await sql.select().column("tallies").from(RollupJournal.table).orderBy("id").all().map { try $0.decode(column: "tallies", as: String.self) }
    }

    /// The county's received count in the rollup rows as stored, without folding.
    private func storedReceived(_ t: TestContext) async throws -> Int {
        let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
        return try await sql.select().column("received").from(RollupModel.schema).where("dimension", .equal, "org")
            .where("unit_code", .equal, "330110").where("period_kind", .equal, "d").where("category_code", .equal, "").where("channel", .equal, "")
            .all().reduce(0) { $0 + (try $1.decode(column: "received", as: Int.self)) }
    }

    /// A unit's open count in its gauge row as stored, without folding.
    private func storedOpen(_ t: TestContext, _ unit: String) async throws -> Int {
        let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
        return try await sql.select().column("open_count").from(OpenGaugeModel.schema).where("dimension", .equal, "org")
            .where("unit_code", .equal, unit).all().reduce(0) { $0 + (try $1.decode(column: "open_count", as: Int.self)) }
    }

    private func assertRollupsEqualARecount(_ t: TestContext, _ message: String) async throws {
        let rebuild = RollupRebuild(db: t.app.db, timeZone: t.app.wanggeConfig.timeZone)
        let differences = try await rebuild.differences(try await rebuild.recount())
        XCTAssertEqual(differences, [], "[\(t.database)] \(message)\n" + differences.joined(separator: "\n"))
    }

    func testReportsWaitInTheJournalAndAReaderCountsThemAll() async throws {
        try await withApp { t in
            let (today, month) = RollupKeys.periods(t.clock.now, timeZone: t.app.wanggeConfig.timeZone)
            let period = try XCTUnwrap(AssessmentPeriod.day(today))
            let queries = AssessmentQueries(db: t.app.db)
            let before = try await queries.totals(.org, "330110", period).received
            let stored = try await storedReceived(t)
            try await report(t, 6)
            let waiting = try await journalTexts(t)
            XCTAssertFalse(waiting.isEmpty, "the reports' tallies wait in the journal")
            let storedNow = try await storedReceived(t)
            XCTAssertEqual(storedNow, stored, "the rollup rows move when the journal is folded, not with each report")
            // A reader folds first: the county's day counts all six.
            let counted = try await queries.totals(.org, "330110", period).received
            XCTAssertEqual(counted, before + 6)
            let left = try await journalTexts(t)
            XCTAssertEqual(left, [], "folded and emptied")
            let storedAfter = try await storedReceived(t)
            XCTAssertEqual(storedAfter, stored + 6)
            try await assertRollupsEqualARecount(t, "after a reader of the rollups folded")
            // So does the leader's summary over the API.
            try await report(t, 2)
            let leader = try await t.token("leader")
            let summary = try await t.api(.GET, "/api/v1/assessment/summary?area=330110&period=\(month)", token: leader)
            XCTAssertEqual(summary.status, .ok, summary.body)
            let leftAfterSummary = try await journalTexts(t)
            XCTAssertEqual(leftAfterSummary, [])
            try await assertRollupsEqualARecount(t, "after the folds")
        }
    }

    /// The open-case gauges a report joins wait in the journal with its tallies; the map's and a unit's readers fold
    /// first, so they count every report made before.
    func testTheGaugesANewCaseJoinsWaitInTheJournalAndTheirReadersCountThem() async throws {
        try await withApp { t in
            let queries = AssessmentQueries(db: t.app.db)
            let county = try await queries.gauge(.org, "330110")
            let townships = try await queries.gauges(level: "township", within: nil)
            let storedCounty = try await storedOpen(t, "330110")
            try await report(t, 6)
            let stored = try await storedOpen(t, "330110")
            XCTAssertEqual(stored, storedCounty, "the gauge rows move when the journal is folded, not with each report")
            let waiting = try await journalTexts(t)
            XCTAssertFalse(waiting.isEmpty)
            // Five of the six in township 330110001's grids, one in 330110002's (`grids`, in turn).
            let map = try await queries.gauges(level: "township", within: nil)
            XCTAssertEqual(map["330110001"]?.open, (townships["330110001"]?.open ?? 0) + 5)
            XCTAssertEqual(map["330110002"]?.open, (townships["330110002"]?.open ?? 0) + 1)
            let leftAfterMap = try await journalTexts(t)
            XCTAssertEqual(leftAfterMap, [], "the map's reader folded")
            try await report(t, 2)
            let now = try await queries.gauge(.org, "330110")
            XCTAssertEqual(now.open, county.open + 8)
            XCTAssertEqual(now.overdue, county.overdue)
            let leftAfterUnit = try await journalTexts(t)
            XCTAssertEqual(leftAfterUnit, [], "the unit's reader folded")
            let storedAfter = try await storedOpen(t, "330110")
            XCTAssertEqual(storedAfter, storedCounty + 8)
            try await assertRollupsEqualARecount(t, "gauges after the folds")
        }
    }

    /// A gauge join's line holds what the fold needs; a line that is neither a join nor a tally is refused.
    func testAGaugeJoinsLineReadsBackAsItWasWritten() throws {
        let joins = [GaugeState(placeCode: "330110001001-01", departmentCode: nil, state: .reported, overdue: false),
                     GaugeState(placeCode: "330110002", departmentCode: "330110-CG", state: .inProgress, overdue: true),
                     GaugeState(placeCode: nil, departmentCode: "a\tb", state: .closed, overdue: false)]
        for join in joins {
            XCTAssertEqual(try GaugeState(journalLine: Substring(join.journalLine)), join, join.journalLine)
            XCTAssertFalse(join.journalLine.contains("\n"))
        }
        let text = RollupJournal.lines([], joining: joins[0]) + "\n" + RollupJournal.lines([], joining: joins[1])
        XCTAssertEqual(try RollupJournal.Entries(text: text).gaugeJoins, Array(joins.prefix(2)))
        for bad in ["g\t330110\t\t1", "g\t330110\t\t2\t0\t", "g\t330110\t\t1\t0\tunknown", "x\t330110\t\t1\t0\t"] {
            XCTAssertThrowsError(try RollupJournal.Entries(text: bad), bad)
        }
    }

    /// A row written before the gauges went through the journal has tally lines only (its writer moved the gauges
    /// itself): it folds into the rollups and leaves the gauges as they are.
    func testARowWithoutGaugeLinesFoldsItsTalliesOnly() async throws {
        try await withApp { t in
            try await RollupJournalFolder(db: t.app.db).drain()
            try await report(t, 1)
            let texts = try await journalTexts(t)
            XCTAssertEqual(texts.count, 1)
            let lines = try XCTUnwrap(texts.first).split(separator: "\n")
            let joins = try lines.filter { $0.hasPrefix(GaugeState.journalPrefix) }.map { try GaugeState(journalLine: $0) }
            XCTAssertEqual(joins.count, 1)
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await sql.delete(from: RollupJournal.table).run()
            // As a writer before the change did: the gauges moved with the report, only the tallies journaled.
            try await RollupLedger.moveGauges(from: .none, to: joins[0], on: t.app.db)
            let tallyLines = lines.filter { !$0.hasPrefix(GaugeState.journalPrefix) }.joined(separator: "\n")
            try await sql.insert(into: RollupJournal.table).columns("tallies").values(SQLBind(tallyLines)).run()
            let folded = try await RollupJournalFolder(db: t.app.db).drain()
            XCTAssertEqual(folded, 1)
            try await assertRollupsEqualARecount(t, "a row without gauge lines: its tallies folded, the gauges as its writer left them")
        }
    }

    /// Rows a killed server left behind are folded by whoever comes next, from their text alone, once.
    func testRowsLeftWithoutTheirWriterAreFoldedFromTheirTextOnce() async throws {
        try await withApp { t in
            try await report(t, 5)
            let texts = try await journalTexts(t)
            XCTAssertFalse(texts.isEmpty)
            var joins = 0
            for text in texts {
                // The entries the writer kept for the row, then (kept no longer, as in a new process) its lines parsed.
                let kept = try RollupJournal.Memo.take(text)
                let parsed = try RollupJournal.Memo.take(text)
                XCTAssertFalse(kept.tallies.isEmpty)
                XCTAssertEqual(parsed, kept, "the writer's tallies and gauge joins are the lines'")
                joins += parsed.gaugeJoins.count
            }
            XCTAssertEqual(joins, 5, "each report's case joins the gauges once")
            let folded = try await RollupJournalFolder(db: t.app.db).drain()
            XCTAssertEqual(folded, texts.count)
            let leftAfterFold = try await journalTexts(t)
            XCTAssertEqual(leftAfterFold, [])
            try await assertRollupsEqualARecount(t, "after a fold from the text")
        }
    }

    /// The server's fold job, on the writer's own connection as intake writes, folds what waits. The server's jobs (the
    /// fold, the search terms' indexing) do their own work behind the requests: on a thread of their own at the lowest
    /// priority, not on the event loops.
    func testTheServersFoldJobFoldsTheJournalBehindTheRequests() async throws {
        try await withApp { t in
            let (name, nice) = try await t.app.onServerWriteConnection {
                let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                return (name.trimmingCharacters(in: .whitespacesAndNewlines), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            }
            XCTAssertEqual(name, "wangge-bg")
            XCTAssertEqual(nice, 19)
            try await report(t, 4)
            let waiting = try await journalTexts(t)
            XCTAssertFalse(waiting.isEmpty)
            let folded = try await t.app.foldRollups()
            XCTAssertGreaterThan(folded, 0)
            XCTAssertEqual(folded, waiting.count)
            let left = try await journalTexts(t)
            XCTAssertEqual(left, [])
            try await assertRollupsEqualARecount(t, "after the server's fold job")
        }
    }

    /// Folds that run at once (the server's job and a reader; instances on PostgreSQL) count each row once,
    /// also when their transactions are cut small.
    func testFoldsAtOnceCountEachReportOnce() async throws {
        try await withApp { t in
            try await report(t, 12)
            let db = t.app.db
            async let first = RollupJournalFolder(db: db, batch: 2, maxRows: 30).drain()
            async let second = RollupJournalFolder(db: db, batch: 3, maxRows: 40).drain()
            async let third = RollupJournalFolder(db: db).drain()
            let folded = try await first + second + third
            XCTAssertGreaterThan(folded, 0)
            let leftAfterConcurrent = try await journalTexts(t)
            XCTAssertEqual(leftAfterConcurrent, [])
            try await assertRollupsEqualARecount(t, "after concurrent folds")
        }
    }

    /// A rebuild counts the journal's reports from their events, so it empties the journal with the rollups it replaces.
    func testARebuildLeavesNothingToCountTwice() async throws {
        try await withApp { t in
            try await report(t, 4)
            let rebuild = RollupRebuild(db: t.app.db, timeZone: t.app.wanggeConfig.timeZone)
            let recount = try await rebuild.recount()
            let waiting = try await journalTexts(t)
            XCTAssertFalse(waiting.isEmpty, "the reports still wait in the journal")
            try await rebuild.replace(with: recount)
            let leftAfterRebuild = try await journalTexts(t)
            XCTAssertEqual(leftAfterRebuild, [])
            let foldedAfterRebuild = try await RollupJournalFolder(db: t.app.db).drain()
            XCTAssertEqual(foldedAfterRebuild, 0)
            try await assertRollupsEqualARecount(t, "after a rebuild")
        }
    }

    /// A row that is not the journal's (a bug, a hand) does not stop the others: they are folded, it stays and is
    /// not counted, the fold says so, and the leader's figures are still read.
    func testARowThatCannotBeReadStaysAndTheRestAreFolded() async throws {
        try await withApp { t in
            let period = try XCTUnwrap(AssessmentPeriod.day(RollupKeys.periods(t.clock.now, timeZone: t.app.wanggeConfig.timeZone).day))
            let before = try await AssessmentQueries(db: t.app.db).totals(.org, "330110", period).received
            try await report(t, 3)
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await sql.insert(into: RollupJournal.table).columns("tallies").values(SQLBind("not a journal line")).run()
            try await report(t, 3)
            do {
                try await RollupJournalFolder(db: t.app.db, batch: 2).drain()
                XCTFail("[\(t.database)] the fold says it met a row it cannot read")
            } catch {}
            let left = try await journalTexts(t)
            XCTAssertEqual(left, ["not a journal line"])
            try await assertRollupsEqualARecount(t, "every report folded, the unreadable row not counted")
            try await report(t, 1)
            let counted = try await AssessmentQueries(db: t.app.db).totals(.org, "330110", period).received
            XCTAssertEqual(counted, before + 7, "the reader folded what it could and read")
        }
    }
}
