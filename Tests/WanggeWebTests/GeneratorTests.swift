import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
@testable import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// `wangge generate` writes rows behind Fluent's back for speed; these tests hold it to what the
/// live path would have written: intact hash chains, rollups equal to a recount, cases the app reads.
final class GeneratorTests: XCTestCase {
    func generate(_ t: TestContext, cases: Int, seed: UInt64 = 1, rollupSlice: Int? = nil, days: Int = CaseGenerator.defaultDays) async throws {
        var generator = CaseGenerator(db: t.app.db, writer: try GenerateCommand.bulkWriter(t.app), seed: seed, timeZone: t.app.wanggeConfig.timeZone,
                                      sla: try await t.app.slaContext(on: t.app.db), console: t.app.console)
        if let rollupSlice { generator.rollupSlice = rollupSlice }
        generator.days = days
        try await generator.county(hasher: t.app.hasher)
        try await generator.cases(cases, now: t.clock.now)
    }

    /// The `n` a counting statement answers.
    private func count(_ sql: any SQLDatabase, _ query: SQLQueryString) async throws -> Int {
        let row = try await sql.raw(query).first()
        return try XCTUnwrap(row?.decode(column: "n", as: Int.self))
    }

    func testGeneratedCountyIsConsistentWithTheLivePath() async throws {
        try await withApp(demo: false) { t in
            // Three batches, the last one short, so batch seams are covered; the rollups go in
            // slices of 997 rows, so theirs are too. Over ninety days, 46 cases a day: the present finds
            // some in every state of the loop.
            let total = 2 * CaseGenerator.batchSize + 137
            try await generate(t, cases: total, rollupSlice: 997, days: 90)
            let rollupRows = try await RollupModel.query(on: t.app.db).count()
            XCTAssertGreaterThan(rollupRows, 10 * 997, "too few rollup rows to cross slices")
            // In the order a live installation adds them, month by month (see `GeneratedTallies.sortedKeys`).
            let months = try await RollupModel.query(on: t.app.db).sort(\.$id).all(\.$period).map { $0.prefix(7) }
            XCTAssertTrue(zip(months, months.dropFirst()).allSatisfy { $0 <= $1 }, "rollup rows not in period order")
            let db = t.app.db
            let cases = try await CaseModel.query(on: db).count()
            XCTAssertEqual(cases, total)
            let gridCount = try await OrgUnitModel.query(on: db).filter(\.$level == "grid").count()
            XCTAssertEqual(gridCount, 1000)

            // Every case's trail is there and chained; codes and query codes are unique.
            let (checked, findings) = try await EventHashChain.verify(on: db)
            XCTAssertEqual(checked, total)
            XCTAssertEqual(findings.map(\.description), [])
            let sql = try XCTUnwrap(db as? any SQLDatabase)
            let distinct = try await sql.raw("SELECT COUNT(DISTINCT code) AS c, COUNT(DISTINCT query_code_hash) AS q FROM cases").first()
            XCTAssertEqual(try distinct?.decode(column: "c", as: Int.self), total)
            XCTAssertEqual(try distinct?.decode(column: "q", as: Int.self), total)
            // Ids follow time as they do live: no case was reported before the case with the id below
            // it, and case codes (day, then number) grow with the id.
            let outOfOrder = try await count(sql, """
                SELECT COUNT(*) AS n FROM cases a JOIN cases b ON b.id = a.id + 1 WHERE b.created_at < a.created_at OR b.code <= a.code
                """)
            XCTAssertEqual(outOfOrder, 0, "cases out of time order")
            // Query codes stored as intake stores them, carrying the id (`QueryCodeCipher`): in id order, so
            // that new entries of their index go at its end.
            let codesOutOfOrder = try await count(sql, """
                SELECT COUNT(*) AS n FROM cases a JOIN cases b ON b.id = a.id + 1 WHERE b.query_code_hash <= a.query_code_hash \
                OR a.query_code_hash NOT LIKE 'v2:%'
                """)
            XCTAssertEqual(codesOutOfOrder, 0, "query codes stored out of id order")
            let versions = try await sql.raw("SELECT CAST(SUM(version) AS BIGINT) AS v FROM cases").first()?.decode(column: "v", as: Int.self)
            // Nothing has happened after the moment of generation: recent cases stop where the present is.
            let latest = try await CaseEventModel.query(on: db).max(\.$createdAt)
            XCTAssertLessThanOrEqual(try XCTUnwrap(latest), t.clock.now)
            let lastUpdate = try await CaseModel.query(on: db).max(\.$updatedAt)
            XCTAssertLessThanOrEqual(try XCTUnwrap(lastUpdate), t.clock.now)
            let eventCount = try await CaseEventModel.query(on: db).count()
            XCTAssertEqual(versions, eventCount)

            // Cases in every state of the loop, rejected ones too.
            let states = Set(try await CaseModel.query(on: db).all(\.$state))
            for state in ["reported", "registered", "dispatched", "in_progress", "handled", "verified", "evaluated", "closed", "archived", "rejected"] {
                XCTAssertTrue(states.contains(state), "no generated case is \(state)")
            }
            // Most open cases are on their way within their deadlines; the red ones are the backlog a
            // holder left (it was nine in ten when every recent case stopped at a random step).
            let open = try await CaseModel.query(on: db).filter(\.$state ~~ CaseState.allCases.filter(\.isOpen).map(\.rawValue)).all()
            let red = open.filter { $0.overdueAt != nil }.count
            XCTAssertLessThan(Double(red), 0.5 * Double(open.count), "\(red) of \(open.count) open cases red")

            // Every department of a case has its row, the lead's and the co-handlers' (a handler's
            // lists walk them), and one dispatched case in ten is shared.
            var expected = Set<String>(), sharedCases = 0
            for model in try await CaseModel.query(on: db).all() {
                let snapshot = try model.snapshot
                if let lead = snapshot.leadDepartmentCode { expected.insert("\(try model.requireID()) \(lead) true") }
                for shared in snapshot.coDepartmentCodes { expected.insert("\(try model.requireID()) \(shared) false") }
                sharedCases += snapshot.coDepartmentCodes.isEmpty ? 0 : 1
                // The counters the lists and the assessment read are the snapshot's, as a transition writes them.
                XCTAssertEqual([model.returnsCount, model.reworksCount, model.remindersCount, model.supervisionsCount],
                               [snapshot.counters.returns, snapshot.counters.reworks, snapshot.counters.reminders, snapshot.counters.supervisions],
                               model.code)
                XCTAssertEqual(model.extensionRequested, snapshot.extensionRequested, model.code)
            }
            let stored = Set(try await CaseDepartmentModel.query(on: db).all().map { "\($0.caseID) \($0.departmentCode) \($0.lead)" })
            XCTAssertEqual(stored, expected)
            XCTAssertGreaterThan(sharedCases, 0, "no generated case is shared")

            // Rollups and gauges equal a from-scratch recount of the event log.
            let rebuild = RollupRebuild(db: db, timeZone: t.app.wanggeConfig.timeZone)
            let recount = try await rebuild.recount()
            XCTAssertEqual(recount.events, versions)
            let differences = try await rebuild.differences(recount)
            XCTAssertEqual(differences, [])
            // Migration 016 counts the finished cases a database already holds, to the same figures.
            XCTAssertEqual(Set(recount.finished.keys.map(\.state)), ["rejected", "closed", "archived"])
            try await FinishedCountModel.query(on: db).delete()
            try await CountFinishedCases.countExistingCases(on: db)
            let afterMigration = try await rebuild.differences(recount)
            XCTAssertEqual(afterMigration, [])

            // The history has done what the SLA sweep would have: open cases past their deadline are
            // marked overdue (and counted so by the gauges, checked above), those red for a day are
            // escalated, and a sweep now finds nothing to mark or escalate.
            let marks = try await CaseEventModel.query(on: db).filter(\.$action == "overdue").count()
            let escalations = try await CaseEventModel.query(on: db).filter(\.$action == "escalate").count()
            XCTAssertGreaterThan(marks, 0, "no open case was past its deadline")
            XCTAssertGreaterThan(escalations, 0, "no case was red for a day")
            // So did it inside finished trails: a step taken after its clock ran out comes after the
            // case's overdue mark, and a case red for a day was escalated and finished by the county.
            let late = try await count(sql, "SELECT COUNT(*) AS n FROM case_events WHERE on_time = \(bind: false)")
            XCTAssertGreaterThan(late, 0, "no step was late")
            let unmarked = try await count(sql, """
                SELECT COUNT(*) AS n FROM case_events e WHERE e.on_time = \(bind: false) AND NOT EXISTS
                (SELECT 1 FROM case_events o WHERE o.case_id = e.case_id AND o.action = 'overdue' AND o.seq < e.seq)
                """)
            XCTAssertEqual(unmarked, 0, "late steps with no overdue mark before them")
            let escalatedAndFinished = try await count(sql, """
                SELECT COUNT(DISTINCT e.case_id) AS n FROM case_events e JOIN cases c ON c.id = e.case_id
                WHERE e.action = 'escalate' AND c.state IN ('closed', 'archived')
                """)
            XCTAssertGreaterThan(escalatedAndFinished, 0, "no escalated case went on to be finished")
            // And the turns a county's cases take now and then: handed back and dispatched again, more
            // time asked and granted, a reminder, a result reworked; a handler's request still waits.
            for action in ["return", "request_extension", "approve_extension", "remind", "verify_fail"] {
                let taken = try await CaseEventModel.query(on: db).filter(\.$action == action).count()
                XCTAssertGreaterThan(taken, 0, "no generated case took \(action)")
            }
            let waiting = try await t.api(.GET, "/api/v1/cases?queue=extension_requests&limit=5", token: try await t.token("dispatcher")).body.json()
            XCTAssertFalse((waiting["items"] as? [Any] ?? []).isEmpty, "the extension queue is empty")
            // A finished case was closed when its close event says, not when it was archived later.
            let closings = try await sql.raw("""
                SELECT COUNT(*) AS n, SUM(CASE WHEN c.closed_at = e.created_at THEN 1 ELSE 0 END) AS same
                FROM cases c JOIN case_events e ON e.case_id = c.id AND e.action = 'close'
                """).first()
            let closed = try XCTUnwrap(closings?.decode(column: "n", as: Int.self))
            XCTAssertGreaterThan(closed, 0)
            XCTAssertEqual(try closings?.decode(column: "same", as: Int.self), closed, "closing times that are not the close event's")
            // Its people are mostly satisfied, as the seeds' counties report (95–99.5%), and some are not.
            let summary = try await t.api(.GET, "/api/v1/assessment/summary", token: try await t.token("leader")).body.json()
            let satisfaction = (summary["rates"] as? [[String: Any]] ?? []).first { $0["rate"] as? String == "satisfaction" }?["value"] as? Double
            XCTAssertGreaterThan(try XCTUnwrap(satisfaction), 0.9)
            XCTAssertLessThan(try XCTUnwrap(satisfaction), 1.0)
            // A county mostly keeps its deadlines: the leader's on-time rates are not a county in crisis.
            let timed = try await count(sql, "SELECT COUNT(*) AS n FROM case_events WHERE on_time IS NOT NULL")
            XCTAssertGreaterThan(Double(timed - late), 0.9 * Double(timed), "\(late) of \(timed) timed steps late")
            let sweep = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(sweep.markedOverdue, [], "cases the history left for the sweep to mark")
            XCTAssertEqual(sweep.escalated, [], "cases the history left for the sweep to escalate")
            XCTAssertNil(sweep.thresholdTimesMoved, "the stored warning moments are known to be those of the thresholds and calendar in force")

            // The app reads what was written: a case page with its timeline, and the queue.
            let dispatcher = try await t.token("dispatcher")
            let any = try await CaseModel.query(on: db).filter(\.$state == "archived").first()
            let code = try XCTUnwrap(any?.code)
            let page = try await t.api(.GET, "/api/v1/cases/\(code)", token: dispatcher)
            XCTAssertEqual(page.status, .ok, page.body)
            let timeline = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher)
            XCTAssertEqual(timeline.status, .ok, timeline.body)
            XCTAssertEqual(try timeline.body.jsonArray().count, any?.version)
            let queue = try await t.api(.GET, "/api/v1/cases?status=dispatched&limit=5", token: dispatcher)
            XCTAssertEqual(queue.status, .ok, queue.body)
            try await assertStateListsWalkNewestFirst(t, token: dispatcher)
            // Search finds the generated cases by their words, as it finds reports: on SQLite through the
            // full-text index's rows the generator wrote, on PostgreSQL through its term rows.
            let wanted = SearchTerms.queryTerms("群众反映")
            let holding = try await CaseModel.query(on: db).sort(\.$id, .descending).all()
                .filter { wanted.isSubset(of: SearchTerms.terms($0.description)) }.prefix(30).map(\.code)
            XCTAssertEqual(holding.count, 30, "too few generated cases hold 群众反映 to page")
            var found: [String] = [], next: String?
            repeat {
                let page = try await t.casePage("q=\("群众反映".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=10"
                                                + (next.map { "&after=\($0)" } ?? ""), token: dispatcher)
                found += page.codes
                next = page.next
            } while next != nil && found.count < 30
            XCTAssertEqual(found, Array(holding), "search on \(t.database)")

            // A reported case's location lies inside its own grid.
            let sample = try await CaseModel.query(on: db).limit(50).all()
            let grids = try await OrgUnitModel.query(on: db).filter(\.$level == "grid").all()
            let shapes = Dictionary(uniqueKeysWithValues: grids.map { ($0.code, $0.geometry) })
            for model in sample {
                let shape = try GeoJSON.parseGeometry(try XCTUnwrap(shapes[model.gridCode ?? ""] ?? nil))
                XCTAssertTrue(shape.contains(GeoPoint(lon: try XCTUnwrap(model.lon), lat: try XCTUnwrap(model.lat))), "\(model.code) outside \(model.gridCode ?? "")")
                // Its snapshot, clocks and report event are written as intake writes them.
                XCTAssertEqual(model.snapshotJSON, try CaseModel.stored(model.snapshot), model.code)
                XCTAssertEqual(model.deadlinesJSON, try CaseModel.stored(CaseDeadlines(stored: model.deadlinesJSON)), model.code)
                let report = try await CaseEventModel.query(on: db).filter(\.$caseID == model.requireID()).filter(\.$seq == 1).first()
                let payload = try XCTUnwrap(report?.payload)
                XCTAssertEqual(payload, try CaseModel.stored(CaseModel.snapshot(json: payload)), model.code)
            }
        }
    }

    /// A list of one state, page after page, is that state's cases newest first, and so is a list of two
    /// states (on PostgreSQL one state is filtered and ordered another way, `casesInStates`).
    func assertStateListsWalkNewestFirst(_ t: TestContext, token: String) async throws {
        for states in [["archived"], ["closed"], ["archived", "closed"], ["reported"]] {
            var codes: [String] = [], after: String? = nil
            for _ in 0..<3 {
                let page = try await t.api(.GET, "/api/v1/cases?status=\(states.joined(separator: ","))&limit=4" + (after.map { "&after=\($0)" } ?? ""),
                                           token: token).body.json()
                codes += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                after = page["next"] as? String
                guard after != nil else { break }
            }
            let expected = try await CaseModel.query(on: t.app.db).filter(\.$state ~~ states).sort(\.$id, .descending).limit(12).all(\.$code)
            XCTAssertGreaterThan(expected.count, 4, "\(states): too few cases to page")
            XCTAssertEqual(codes, expected, "\(states) on \(t.database)")
        }
    }

    /// `wangge generate` refuses a negative count or a history of no days with a message, before it
    /// touches the database.
    func testACountOrHistoryThatCannotBeIsRefused() async throws {
        try await withApp(demo: false) { t in
            for arguments in [["--cases", "\\-5"], ["--days", "0"]] { // ConsoleKit takes a leading minus escaped
                var context = CommandContext(console: t.app.console, input: CommandInput(arguments: ["wangge"] + arguments))
                context.application = t.app
                do {
                    try await GenerateCommand().run(using: &context)
                    XCTFail("\(arguments) was taken")
                } catch is ExitCode {}
                let units = try await OrgUnitModel.query(on: t.app.db).count()
                XCTAssertEqual(units, 0, "\(arguments) wrote the county")
            }
        }
    }

    func testTheSameSeedGivesTheSameCases() async throws {
        var fingerprints: [String] = []
        for _ in 0..<2 {
            try await withApp(demo: false) { t in
                t.clock.now = Date(timeIntervalSince1970: 1_795_000_000)
                try await generate(t, cases: 300, seed: 42)
                let rows = try await CaseModel.query(on: t.app.db).sort(\.$id).all()
                fingerprints.append(rows.map { "\($0.code)|\($0.state)|\($0.gridCode ?? "")|\($0.eventHash ?? "")" }.joined(separator: "\n"))
            }
        }
        XCTAssertEqual(fingerprints.count, 2 * TestDatabase.enabled.count)
        XCTAssertEqual(Set(fingerprints).count, 1, "the same seed made different cases")
    }
}
