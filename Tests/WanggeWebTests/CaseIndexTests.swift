import FluentKit
import Foundation
import SQLKit
import WanggeDomain
@testable import WanggePersistence
import XCTest
@testable import WanggeWeb

/// The case indexes that hold only rows with a value must still serve the queues that use them.
final class CaseIndexTests: XCTestCase {
    /// For each slimmed index, the shape of the query that needs it (from the handler's, the grid
    /// worker's and the citizen's queues, merged cases and the SLA sweep).
    private static let uses: [(index: String, where: String)] = [
        ("idx_cases_lead_department_code_state_id", "lead_department_code = 'D01' AND state = 'dispatched' ORDER BY id DESC"),
        ("idx_cases_assigned_grid_code_state_id", "assigned_grid_code IN ('330110001001-01', '330110001001-02') AND state = 'dispatched'"),
        ("idx_cases_master_case_id", "master_case_id = 7"),
        ("idx_cases_reporter_username_id", "reporter_username = 'citizen' ORDER BY id DESC"),
        ("idx_cases_overdue_at", "state IN ('dispatched', 'in_progress') AND overdue_at <= '2026-12-01 00:00:00'"),
    ]

    func testQueuesStillUseTheIndexesThatHoldOnlyRowsWithAValue() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for (index, condition) in Self.uses {
                let definition: String
                if t.database == .sqlite {
                    let rows = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = \(bind: index)").all()
                    definition = try rows.first?.decode(column: "sql", as: String.self) ?? ""
                    // INDEXED BY fails to plan when the index cannot answer the query: here, if its
                    // WHERE were not implied by the query's condition.
                    _ = try await sql.raw("SELECT id FROM cases INDEXED BY \(ident: index) WHERE \(unsafeRaw: condition)").all()
                    // And without a value asked for, it cannot: the rows without one are not in it.
                    do {
                        _ = try await sql.raw("SELECT id FROM cases INDEXED BY \(ident: index)").all()
                        XCTFail("\(index) answered a query over every row")
                    } catch {}
                } else {
                    let rows = try await sql.raw("SELECT indexdef FROM pg_indexes WHERE indexname = \(bind: index)").all()
                    definition = try rows.first?.decode(column: "indexdef", as: String.self) ?? ""
                }
                XCTAssertTrue(definition.uppercased().contains("IS NOT NULL"), "\(index) on \(t.database): \(definition)")
            }
            let gone = t.database == .sqlite
                ? try await sql.raw("SELECT name FROM sqlite_master WHERE name = 'idx_case_search_terms_case_id'").all()
                : try await sql.raw("SELECT indexname FROM pg_indexes WHERE indexname = 'idx_case_search_terms_case_id'").all()
            XCTAssertTrue(gone.isEmpty, "search terms are looked up by term only")
        }
    }

    /// The duplicate hint is the one query that filters by position; it asks for one category's
    /// recent cases, which it walks in the (category, id) index back to the smallest id of those days
    /// (read from the (created_at, id) index). Neither the location index (migration 010) nor the
    /// (category, created_at) one (021) is kept: every report wrote a page of each.
    func testTheDuplicateHintWalksTheCategoryIndexAndNoLocationOrCategoryTimeIndexIsKept() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for index in ["idx_cases_lat_lon", "idx_cases_category_code_created_at"] {
                let definition = try await Self.definition(of: index, t)
                XCTAssertNil(definition, "[\(t.database)] \(index) is dropped")
            }
            guard t.database == .sqlite else { return }
            let first = try await sql.queryPlan("SELECT MIN(id + 0) AS first FROM cases WHERE created_at >= 1795000000")
            XCTAssertTrue(first.contains("COVERING INDEX \(WidenCaseTimeIndex.index) (created_at>?)"), first)
            let plan = try await sql.queryPlan("""
                SELECT id FROM cases WHERE category_code = '0101' AND id >= 5 AND created_at >= 1795000000
                AND state IN ('reported', 'registered') AND lat >= 30.2 AND lat <= 30.21 AND lon >= 120.0 AND lon <= 120.01
                AND id != 7 ORDER BY id DESC LIMIT 50
                """)
            XCTAssertTrue(plan.contains("idx_cases_category_code_id (category_code=? AND id>?)"), plan)
            XCTAssertFalse(plan.contains("TEMP B-TREE"), "newest first from the index itself: \(plan)")
        }
    }

    /// A case's id need not follow its time (one entered late, with the time it was reported): the hint
    /// still finds every open case of the category nearby from the last seven days, whatever its id,
    /// and none older.
    func testTheDuplicateHintFindsTheWeeksCasesWhateverTheirIdsOrder() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let dispatcher = try await t.token("dispatcher-dh")
            let spot = try t.centre(of: "330110001001-01")
            var ids: [Int] = []
            for n in 0..<3 {
                let made = try await t.report(["channel": "window", "description": "井盖坏了第\(n)次", "categoryCode": "0101",
                                               "location": ["lat": spot.lat + 0.0001, "lon": spot.lon]], token: dispatcher)
                let code = try XCTUnwrap(made.json["code"] as? String)
                let row = try await CaseModel.query(on: t.app.db).filter(\.$code == code).first()
                ids.append(try XCTUnwrap(row?.id))
            }
            // Oldest id, one day old; the next id two days old (older than the one before it); the newest id ten.
            let now = Date()
            for (id, daysAgo) in zip(ids, [1.0, 2.0, 10.0]) {
                try await sql.update(CaseModel.schema).set("created_at", to: now.addingTimeInterval(-daysAgo * 86400))
                    .where("id", .equal, id).run()
            }
            let hints = try await CaseQueryService(db: t.app.db)
                .duplicateHints(lat: spot.lat, lon: spot.lon, categoryCode: "0101", excluding: nil, now: now,
                                visibleTo: Actor(userID: UUID(), username: "d", displayName: "d", role: .dispatcher, orgCode: "330110", orgLevel: .county))
            // (The demo county may have cases of its own there.)
            XCTAssertEqual(Set(hints.compactMap(\.id)).intersection(ids), Set(ids.prefix(2)), "[\(t.database)] the week's two, not the ten-day-old one")
        }
    }

    /// The grid worker's month is counted from an index of grid workers' events only: citizens'
    /// reports add nothing to it, and the page no longer reads the whole event log.
    func testTheGridWorkersMonthIsCountedFromTheIndexOfTheirEventsOnly() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let index = "idx_case_events_grid_worker_actor_action_created_at"
            let definition = try await Self.definition(of: index, t)
            XCTAssertTrue(definition?.contains("grid_worker") ?? false, "[\(t.database)] \(definition ?? "no index")")
            guard t.database == .sqlite else { return }
            let plan = try await sql.queryPlan("""
                SELECT COUNT(*) FROM case_events WHERE actor_role = 'grid_worker' AND actor_username = 'grid1'
                AND action IN ('verify_pass', 'verify_fail') AND created_at >= 1795000000
                """)
            XCTAssertTrue(plan.contains(index), plan)
        }
    }

    /// The dispatcher's extension queue walks an index of the cases with a request pending only.
    func testTheExtensionQueueWalksAnIndexOfPendingRequestsOnly() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let plan = try await sql.queryPlan("""
                SELECT id FROM cases WHERE centre_org_code LIKE '330110%' AND extension_requested = TRUE ORDER BY id DESC LIMIT 20
                """)
            XCTAssertTrue(plan.contains("idx_cases_extension_requested_id"), plan)
            XCTAssertFalse(plan.contains("TEMP B-TREE"), "newest first from the index itself: \(plan)")
        }
    }

    /// The co-handling queue walks the department's shared rows newest first, in an index of shared
    /// rows only, back to the oldest open case: no list of them gathered, no sort.
    func testTheCoHandlingQueueWalksAnIndexOfSharedRowsOnly() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let index = "idx_case_departments_shared_department_code_case_id"
            let definition = try await Self.definition(of: index, t)
            XCTAssertTrue(definition?.lowercased().contains("false") ?? false, "[\(t.database)] \(definition ?? "no index")")
            guard t.database == .sqlite else { return }
            let plan = try await sql.queryPlan("""
                SELECT cases.id FROM cases INNER JOIN case_departments AS held ON held.case_id = cases.id
                WHERE cases.state IN ('dispatched', 'in_progress') AND held.department_code = '330110-CG' AND held.lead = FALSE
                AND held.case_id >= (SELECT MIN(first) FROM (SELECT MIN(id) AS first FROM cases WHERE state = 'dispatched'
                UNION ALL SELECT MIN(id) AS first FROM cases WHERE state = 'in_progress') AS ends)
                ORDER BY held.case_id DESC LIMIT 20
                """)
            XCTAssertTrue(plan.contains("\(index) (department_code=? AND case_id>?)"), plan)
            XCTAssertEqual(plan.components(separatedBy: "USING COVERING INDEX idx_cases_state_id (state=?)").count - 1, 2,
                           "each state's oldest case from one end of the index: \(plan)")
            XCTAssertFalse(plan.contains("LIST SUBQUERY") || plan.contains("TEMP B-TREE"), plan)
        }
    }

    /// A list of one subcategory is the last entries of its (category, id) index: no sort of the
    /// category's cases, on a first page or a deep one.
    func testASubcategorysListIsReadNewestFirstFromItsIndex() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for cursor in ["", " AND id < 500"] {
                let plan = try await sql.queryPlan("""
                    SELECT id FROM cases WHERE category_code = '0101'\(unsafeRaw: cursor) ORDER BY id DESC LIMIT 20
                    """)
                XCTAssertTrue(plan.contains("idx_cases_category_code_id"), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
            }
        }
    }

    /// A page of a person's inbox is the newest entries of their (user, id) index, first page or later;
    /// the unread ones come from the (user, read, id) index, and so does the badge's count.
    func testTheInboxIsReadNewestFirstFromItsIndexes() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for cursor in ["", " AND id < 500"] {
                let all = try await sql.queryPlan("SELECT id FROM notifications WHERE user_id = x'00'\(unsafeRaw: cursor) ORDER BY id DESC LIMIT 30")
                XCTAssertTrue(all.contains("idx_notifications_user_id_id"), all)
                let unread = try await sql.queryPlan("""
                    SELECT id FROM notifications WHERE user_id = x'00' AND read_at IS NULL\(unsafeRaw: cursor) ORDER BY id DESC LIMIT 30
                    """)
                XCTAssertTrue(unread.contains("idx_notifications_user_id_read_at_id"), unread)
                XCTAssertFalse(all.contains("TEMP B-TREE") || unread.contains("TEMP B-TREE"), all + "\n" + unread)
            }
        }
    }

    /// The overview's warning colours are counted from the open cases' index alone (migration 019's; on SQLite
    /// 027's, which the map reads too), for a county, a township, a village and a grid; the states the index holds
    /// are the open ones.
    func testTheOverviewsWarningCountsReadTheOpenCasesIndexAlone() async throws {
        XCTAssertEqual(IndexOpenCaseWarnings.openStates, CaseState.openStates.map(\.rawValue),
                       "a state opened or closed needs a new index (a new migration)")
        try await withApp { t in
            let index = t.database == .sqlite ? IndexOpenCasesNewestFirst.index : IndexOpenCaseWarnings.index
            let definition = try await Self.definition(of: index, t)
            XCTAssertTrue(definition?.contains("in_progress") == true, "[\(t.database)] \(definition ?? "no index")")
            guard t.database == .sqlite else { return }
            let replaced = try await Self.definition(of: IndexOpenCaseWarnings.index, t)
            XCTAssertNil(replaced, "on SQLite 027's index takes the place of 019's")
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            for root in ["330110", "330110001", "330110001001", "330110001001-01"] {
                let level = try XCTUnwrap(OrgCode.level(of: root))
                let plan = try await sql.queryPlan(CaseQueryService.warningCountsQuery(below: root, level: level, now: Date()))
                XCTAssertTrue(plan.contains("COVERING INDEX \(index)"), "\(root): \(plan)")
            }
        }
    }

    /// Migration 027 reverted gives SQLite 019's index back, and the overview's map and counts still read the open cases
    /// alone; prepared again, its own index. PostgreSQL is left as it was both ways.
    func testTheOpenCasesIndexOfTheMapRevertsTo019s() async throws {
        try await withApp { t in
            let queries = CaseQueryService(db: t.app.db)
            let spot = try t.centre(of: "330110001001-01")
            let r = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
            func indexes() async throws -> [String?] {
                [try await Self.definition(of: IndexOpenCaseWarnings.index, t), try await Self.definition(of: IndexOpenCasesNewestFirst.index, t)]
            }
            try await IndexOpenCasesNewestFirst().revert(on: t.app.db)
            let reverted = try await indexes()
            XCTAssertNotNil(reverted[0], "[\(t.database)] 019's index is there")
            XCTAssertNil(reverted[1])
            let county = OrgScope(level: .county, code: "330110")
            let mapped = try await queries.newestOpen(within: county, limit: 10)
            XCTAssertEqual(mapped.map(\.code), [code])
            let counted = try await queries.stateCounts(within: county)
            XCTAssertEqual(counted[.reported], 1)
            try await IndexOpenCasesNewestFirst().prepare(on: t.app.db)
            let again = try await indexes()
            XCTAssertEqual(again.map { $0 != nil }, t.database == .sqlite ? [false, true] : [true, false], "[\(t.database)]")
            let mappedAgain = try await queries.newestOpen(within: county, limit: 10)
            XCTAssertEqual(mappedAgain.map(\.code), [code])
        }
    }

    /// The SLA sweep's minute-by-minute questions (which open cases came due unmarked, which red ones
    /// to escalate) are answered from migration 020's indexes of the candidates, not by a walk of every case.
    func testTheSweepFindsItsCandidatesInTheirOwnIndexes() async throws {
        try await withApp { t in
            for index in [IndexSweepCandidates.unmarkedIndex, IndexSweepCandidates.unescalatedIndex] {
                let definition = try await Self.definition(of: index, t)
                XCTAssertTrue(definition?.contains("overdue_at") == true, "[\(t.database)] \(index): \(definition ?? "no index")")
            }
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            // With statistics, as the server's start (`PRAGMA optimize`) and the generator leave them.
            try await sql.raw("ANALYZE").run()
            let due = try await sql.queryPlan(SLASweep.dueIDs(now: Date(), limit: 500))
            XCTAssertTrue(due.contains("INDEX \(IndexSweepCandidates.unmarkedIndex)"), due)
            XCTAssertFalse(due.contains("TEMP B-TREE"), "read in deadline order, not sorted: \(due)")
            let red = try await sql.queryPlan(SLASweep.redIDs(before: Date(), limit: 500))
            XCTAssertTrue(red.contains("INDEX \(IndexSweepCandidates.unescalatedIndex)"), red)
        }
    }

    /// An Open311 list of one service walks the time index newest first from the window's start, and each case's
    /// category and channel are in its entry there (migration 028), so a case of another service or an internal channel
    /// is passed without its row. Reverted, 018's narrower index lists the same requests; prepared again, 028's.
    func testTheTimeIndexHoldsEachCasesCategoryAndChannel() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            var published: [String] = []
            for (channel, category) in [("citizen", "0105"), ("citizen", "0201"), ("window", "0105"), ("citizen", "0105")] {
                let r = try await t.report(["channel": channel, "description": "路灯不亮晚上很黑", "categoryCode": category, "address": "湖滨路 1 号"],
                                           token: channel == "citizen" ? nil : dispatcher)
                let code = try XCTUnwrap(r.json["code"] as? String, "\(r.json)")
                if channel == "citizen" && category == "0105" { published.insert(code, at: 0) }
                t.clock.advance(3600)
            }
            func listed() async throws -> [String] {
                let r = try await t.api(.GET, "/open311/v2/requests.json?service_code=0105")
                XCTAssertEqual(r.status, .ok, r.body)
                return try r.body.jsonArray().compactMap { $0["service_request_id"] as? String }
            }
            let listedFirst = try await listed()
            XCTAssertEqual(listedFirst, published, "[\(t.database)] the service's public requests, newest first")
            let definition = try await Self.definition(of: WidenCaseTimeIndex.index, t)
            XCTAssertTrue(["category_code", "channel", "grid_code"].allSatisfy { definition?.contains($0) == true },
                          "[\(t.database)] \(definition ?? "no index")")
            let replaced = try await Self.definition(of: WidenCaseTimeIndex.replaced, t)
            XCTAssertNil(replaced, "[\(t.database)] 028's index takes the place of 018's")
            if t.database == .sqlite {
                let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
                try await sql.raw("ANALYZE").run()
                let plan = try await sql.queryPlan("""
                    SELECT id, description FROM cases WHERE channel IN ('citizen', 'open311') AND category_code IN ('0105')
                    AND created_at >= 1795000000 ORDER BY created_at DESC, id DESC LIMIT 1000
                    """)
                XCTAssertTrue(plan.contains("INDEX \(WidenCaseTimeIndex.index) (created_at>?)"), plan)
                XCTAssertFalse(plan.contains("TEMP B-TREE"), "newest first from the index itself: \(plan)")
            }
            try await WidenCaseTimeIndex().revert(on: t.app.db)
            let reverted = [try await Self.definition(of: WidenCaseTimeIndex.replaced, t), try await Self.definition(of: WidenCaseTimeIndex.index, t)]
            XCTAssertEqual(reverted.map { $0 != nil }, [true, false], "[\(t.database)] 018's index is back")
            let listedReverted = try await listed()
            XCTAssertEqual(listedReverted, published)
            try await WidenCaseTimeIndex().prepare(on: t.app.db)
            let again = [try await Self.definition(of: WidenCaseTimeIndex.replaced, t), try await Self.definition(of: WidenCaseTimeIndex.index, t)]
            XCTAssertEqual(again.map { $0 != nil }, [false, true], "[\(t.database)]")
            let listedAgain = try await listed()
            XCTAssertEqual(listedAgain, published)
        }
    }

    /// The big screen's hot spots read the last 72 hours' reports' grids and categories from the time index's entries alone
    /// on SQLite (migration 028); a report from before the window is not read, and the big screen shows three alike in
    /// one grid as a hot spot of three.
    func testTheBigScreensHotSpotsAreCountedFromTheTimeIndexAlone() async throws {
        try await withApp { t in
            func report(_ grid: String, _ category: String) async throws {
                let spot = try t.centre(of: grid)
                let r = try await t.report(["channel": "citizen", "description": "路灯不亮晚上很黑", "categoryCode": category,
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
                XCTAssertEqual(r.status, .created, "\(r.json)")
            }
            try await report("330110001001-01", "0105")
            t.clock.advance(73 * 3600)
            for _ in 0..<3 { try await report("330110001001-01", "0105") }
            for _ in 0..<2 { try await report("330110001001-02", "0105") }
            try await report("330110001001-02", "0201")
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            // Counted by PostgreSQL; on SQLite, a row a report, each counting one.
            let query = DashboardPagesController.latestReports(since: t.clock.now.addingTimeInterval(-72 * 3600), grouped: t.database == .postgres)
            let latest = try await sql.raw(query).all().map {
                ("\(try $0.decode(column: "grid_code", as: String.self)) \(try $0.decode(column: "category_code", as: String.self))",
                 try $0.decode(column: "n", as: Int.self))
            }
            XCTAssertEqual(latest.count, t.database == .sqlite ? 6 : 1, "[\(t.database)] \(latest)")
            let counted = Dictionary(latest, uniquingKeysWith: +).filter { $0.value >= 3 }
            XCTAssertEqual(counted, ["330110001001-01 0105": 3], "[\(t.database)] the window's reports, not the older one")
            var browser = Browser()
            try await t.signIn("leader", &browser)
            let (status, dashboard, _) = try await t.get("/dashboard", &browser)
            XCTAssertEqual(status, .ok)
            let spots = dashboard.matches(of: /category=(\d+)">[^<]*<\/a>[^件]*?(\d+) 件/).map { "\($0.output.1) \($0.output.2)" }
            XCTAssertEqual(spots, ["0105 3"], "[\(t.database)] one hot spot of three, not four; two alike are not one")
            guard t.database == .sqlite else { return }
            try await sql.raw("ANALYZE").run()
            let plan = try await sql.queryPlan(query)
            XCTAssertTrue(plan.contains("COVERING INDEX \(WidenCaseTimeIndex.index) (created_at>?)"), plan)
        }
    }

    /// An index's definition as the database keeps it (nil when there is none).
    private static func definition(of index: String, _ t: TestContext) async throws -> String? {
        let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
        return t.database == .sqlite
            ? try await sql.raw("SELECT sql AS d FROM sqlite_master WHERE name = \(bind: index)").first()?.decode(column: "d", as: String.self)
            : try await sql.raw("SELECT indexdef AS d FROM pg_indexes WHERE indexname = \(bind: index)").first()?.decode(column: "d", as: String.self)
    }

}
