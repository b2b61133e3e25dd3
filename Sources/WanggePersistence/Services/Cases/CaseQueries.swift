import FluentKit
import FluentSQL
import Foundation
import WanggeDomain

/// The work lists (待办) of each role.
public enum CaseQueue: String, Sendable, CaseIterable {
    case toRegister = "to_register"               // dispatcher: reported, not yet registered
    case toDispatch = "to_dispatch"               // dispatcher: registered, not yet dispatched
    case returned                                  // dispatcher: sent back by a department
    case extensionRequests = "extension_requests" // dispatcher: extension asked
    case awaitingEvaluation = "awaiting_evaluation" // dispatcher: verified, waiting for a rating / return visit
    case toClose = "to_close"                      // dispatcher: evaluated
    case departmentNew = "department_new"          // handler: dispatched to my department
    case inHand = "in_hand"                        // handler: accepted by my department
    case coHandling = "co_handling"                // handler: my department co-handles
    case gridTasks = "grid_tasks"                  // grid worker: dispatched to my grids
    case verification                              // grid worker / dispatcher: waiting for on-site check
    case mine                                      // anyone: what I reported

    /// The states the queue keeps to (`CaseQueryService.apply`), each open: nil for the extension requests, which a
    /// flag picks, and for what I reported, in any state.
    var openStates: [CaseState]? {
        switch self {
        case .toRegister: [.reported]
        case .toDispatch, .returned: [.registered]
        case .awaitingEvaluation: [.verified]
        case .toClose: [.evaluated]
        case .departmentNew: [.dispatched]
        case .inHand: [.inProgress]
        case .coHandling, .gridTasks: CaseQueryService.inHandStates
        case .verification: [.handled]
        case .extensionRequests, .mine: nil
        }
    }
}

public struct CaseFilter: Sendable {
    public var queue: CaseQueue?
    public var states: [CaseState] = []
    public var categoryCode: String?
    public var channel: Channel?
    public var urgency: Urgency?
    public var withinOrgCode: String?
    public var from: Date?
    public var to: Date?
    public var search: String?
    /// Cases whose running clock is in this colour at `now`.
    public var warning: WarningLevel?
    public var now = Date()
    /// Keyset cursor: the id of the last case of the previous page (cases come newest first).
    public var beforeID: Int?
    public var limit: Int = 20

    public init() {}
}

public struct CaseQueryService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    public func list(_ filter: CaseFilter, for actor: Actor) async throws -> [CaseSummary] {
        let search = filter.search.flatMap(TextSearch.init)
        let openOnly = !filter.states.isEmpty && filter.states.allSatisfy(\.isOpen)
        let subcategory = filter.categoryCode.flatMap { $0.count > 2 ? $0 : nil }
        // A handler's whole list and its co-handling queue walk the department's rows instead. On PostgreSQL a list within
        // a subcategory reads the subcategory's (category, id) entries against them: walking the rows, it read the case of
        // every row for a subcategory the department rarely handles (urban management's 0901 at 200,000 cases: 181 ms,
        // against 24). On SQLite that list cost the same either way (17.6 ms at a million cases), and its co-handling queue
        // in a subcategory took 13 ms instead of 0.24 without the walk.
        let dialect = (db as? any SQLDatabase)?.dialect.name
        let walksDepartmentRows = actor.role == .handler && search == nil && !(dialect == "postgresql" && subcategory != nil)
            && (filter.queue == nil || filter.queue == .coHandling)
        var query = CaseListQuery(on: db)
        if let queue = filter.queue { query = try apply(queue, to: query, actor: actor, rowsWalked: walksDepartmentRows) }
        if !filter.states.isEmpty { query = query.filter(.casesInStates(filter.states.map(\.rawValue), on: db)) }
        if let category = filter.categoryCode {
            // A top-level category (2 digits) matches its subcategories too.
            query = query.filter(.cases("category_code", category.count <= 2 ? .contains(inverse: false, .prefix) : .equal, .bind(category)))
        }
        if let channel = filter.channel { query = query.filter(.cases("channel", .equal, .bind(channel.rawValue))) }
        if let urgency = filter.urgency { query = query.filter(.cases("urgency", .equal, .bind(urgency.rawValue))) }
        // With no queue, state or colour, whose own indexes lead to the page, a grid's or a grid worker's list steps through
        // their ids on SQLite (`newestFirst`, below). Stepping through every id for a grid's few open cases took 0.26 to
        // 2.2 ms, and the grid worker's page from 0.84 to 2.9.
        let byIDs = filter.queue == nil && filter.states.isEmpty && filter.warning == nil && dialect == "sqlite"
        if let within = filter.withinOrgCode {
            guard let level = OrgCode.level(of: within), actor.canSee(OrgCode.ancestry(of: within)) else { throw AppError.notFound("org_unit") }
            query = newestFirst(query, within: OrgScope(level: level, code: within), byIDs: byIDs)
        }
        if let from = filter.from { query = query.filter(.cases("created_at", .greaterThanOrEqual, .bind(from))) }
        if let to = filter.to { query = query.filter(.cases("created_at", .lessThan, .bind(to))) }
        if let warning = filter.warning { query = Self.colour(warning, at: filter.now, query) }
        let limit = max(1, min(filter.limit, 100))
        if walksDepartmentRows {
            return try await departmentPage(query, department: actor.departmentCode ?? "-", sharedOnly: filter.queue == .coHandling,
                                            before: filter.beforeID, limit: limit)
        }
        switch search {
        case .terms(let terms)?:
            // Open cases are the newest few in a hundred: a search among them starts its walk at the oldest.
            let open = filter.queue?.openStates ?? (openOnly ? filter.states : nil)
            // PostgreSQL's one plan for any bound states walked the term's every entry, reading each case (a
            // dispatcher's 路灯 among dispatched cases, 7 of 7,514: 17–18 ms of its CPU at 200,000 cases); planned
            // for the states, it joins the term's entries to the few cases in them (1.8 ms with the planning). A
            // search among the archived, most cases, walks either way and pays the planning: 0.4 → 1.2–1.7 ms.
            query.plannedForItsValues = !filter.states.isEmpty && DatabaseQuery.Filter.bindsStates(filter.states.map(\.rawValue))
            // A search within dates that ended long ago keeps to the ids reported in them: 路灯 in January, ten months back,
            // walked every newer match and read its case, 16 ms of CPU at a million cases against 3 on SQLite. Reading
            // the span costs some 0.1 µs a case of the window, which a recent window (few newer matches) does not pay back.
            var span: ReportedIDSpan?
            if let from = filter.from, let to = filter.to, filter.now.timeIntervalSince(to) >= 2 * to.timeIntervalSince(from) {
                span = try await reportedIDs(from: from, to: to)
            }
            return try await searchPage(terms, CaseAccess.visible(query, to: actor), for: actor,
                                        subcategory: subcategory, from: open.map(Self.oldestCase(in:)), within: span,
                                        before: filter.beforeID, limit: limit)
        case .code(let prefix)?: query = query.filter("code", .contains(inverse: false, .prefix), prefix)
        case .nothing?: return []
        case nil: break
        }
        query = CaseAccess.visible(query, to: actor, reportsFrom: openOnly ? Self.oldestCase(in: filter.states) : nil)
        // SQLite read a grid worker's list as the union of three indexes, every row of it (1,200 cases of grid1 at a
        // million) sorted for a page of 20. Given their ids from index entries, it steps through those newest first and
        // reads the rows until the page is full. PostgreSQL unions the three indexes as bitmaps.
        if byIDs, let ids = CaseAccess.visibleIDs(to: actor) {
            query = query.filter(.sql(embed: "\(quoted: CaseModel.schema).\(quoted: "id") IN (\(ids))"))
        }
        if filter.from != nil || filter.to != nil { return try await pageInTime(query, before: filter.beforeID, limit: limit) }
        if let before = filter.beforeID { query = query.filter(.cases("id", .lessThan, .bind(before))) }
        if DatabaseQuery.Filter.ordersByStateFirst(filter.states.map(\.rawValue), on: db) {
            query = query.sort("state", .descending)
        }
        return try await page(query.sort("id", .descending), limit: limit)
    }

    /// A list bounded by dates, newest first by the time of report (then id), from migration 018's
    /// (created_at, id) index: it starts at its bound instead of passing every newer case. The cursor
    /// is still the last case's id; its time is looked up to continue after it.
    func pageInTime(_ query: CaseListQuery, before: Int?, limit: Int) async throws -> [CaseSummary] {
        var query = query
        if let before {
            guard let last = try await CaseModel.query(on: db).filter(\.$id == before).field(\.$id).field(\.$createdAt).first() else { return [] }
            // `created_at <= t` alone bounds the index range; the rest skips the cases up to the cursor at t.
            query = query.filter(.cases("created_at", .lessThanOrEqual, .bind(last.createdAt))).filter(.group([
                .cases("created_at", .lessThan, .bind(last.createdAt)), .cases("id", .lessThan, .bind(before)),
            ], .or))
        }
        return try await page(query.sort("created_at", .descending).sort("id", .descending), limit: limit)
    }

    /// Up to `limit` cases of a query that already has its order, as the columns a list shows.
    public func page(_ query: CaseListQuery, limit: Int) async throws -> [CaseSummary] {
        try await PlainReads.decoded(query.limit(limit), columns: CaseSummary.columns, as: CaseSummary.self, on: db)
    }

    /// The newest `limit` open cases of an area, as a map's markers (the overview's map), made by position. On SQLite
    /// below a city from the open cases' index alone (`newestOpenFromIndex`), otherwise with the ids picked from the
    /// area's (area, state, id) index entries and only their rows read: asked for directly, SQLite read and sorted the
    /// row of every open case of the county to keep the newest 5,000 (60 ms at a million cases). PostgreSQL merges
    /// each open state's newest (`newestOpenMerged`).
    /// Each point carries its area one level below `scope`'s (`CaseMapPoint.unitCode`).
    public func newestOpen(within scope: OrgScope, limit: Int, clocks: Bool = false) async throws -> [CaseMapPoint] {
        let columns = CaseMapPoint.columns(clocks: clocks, unit: Self.unitLevel(below: scope.level))
        if (db as? any SQLDatabase)?.dialect.name == "postgresql" {
            return try await PlainReads.decoded(Self.newestOpenMerged(within: scope, limit: limit, columns: columns), columns: columns,
                                                as: CaseMapPoint.self, on: db)
        }
        if scope.level != .city, !clocks {
            return try await PlainReads.decoded(Self.newestOpenFromIndex(within: scope, limit: limit, columns: columns), columns: columns,
                                                as: CaseMapPoint.self, on: db)
        }
        let newest = CaseListQuery(on: db)
            .filter(.sql(embed: "\(quoted: CaseModel.schema).\(quoted: "id") IN (\(Self.newestOpenIDs(within: scope, limit: limit)))"))
        return try await PlainReads.decoded(newest.sort("id", .descending).limit(limit), columns: columns, as: CaseMapPoint.self, on: db)
    }

    /// SQLite's form below a city: the open cases' index (migration 027) read from its county's newest entry on, each
    /// entry holding what the map shows, so no case's row is read. A city's cases, or clocks read from the rows (when
    /// red comes before the deadline), take the ids from the area's index and read the rows by id.
    static func newestOpenFromIndex(within scope: OrgScope, limit: Int, columns: [String]) -> SQLQueryString {
        """
        SELECT \(quoted: columns) FROM \(quoted: CaseModel.schema) \
        WHERE \(openCases(within: scope.code, level: scope.level)) ORDER BY \(quoted: "id") DESC LIMIT \(literal: limit)
        """
    }

    /// PostgreSQL's form: each open state's newest cases from the end of its (area, state, id) index range, merged in
    /// order of id. Given the states as one list it read every open case of the county's entries (with their rows,
    /// whose pages are rarely all-visible where cases are open), sorted them for the newest and read those rows again:
    /// 41 ms at a million cases with 13,000 open, against 14.
    static func newestOpenMerged(within scope: OrgScope, limit: Int, columns point: [String]) -> SQLQueryString {
        let area = CaseModel.ancestorKey(scope.level).description
        // A grid's map counts its cases by its own column, which the point already holds: named twice in the arms,
        // the outer select could not tell them apart.
        var armColumns = ["id"]
        for column in point where !armColumns.contains(column) { armColumns.append(column) }
        let arms = CaseState.openStates.map { state -> SQLQueryString in
            "(SELECT \(quoted: armColumns) FROM \(quoted: CaseModel.schema) WHERE \(quoted: area) = \(bind: scope.code) AND \(quoted: "state") = \(SQLConstant(state.rawValue)) ORDER BY \(quoted: "id") DESC LIMIT \(literal: limit))"
        }
        return """
            SELECT \(quoted: point) FROM (\(SQLList(arms, separator: SQLRaw(" UNION ALL ")))) AS \(quoted: "newest")
            ORDER BY \(quoted: "id") DESC LIMIT \(literal: limit)
            """
    }

    /// The ids of the area's newest open cases, from its (area, state, id) index entries alone.
    static func newestOpenIDs(within scope: OrgScope, limit: Int) -> SQLQueryString {
        let open = SQLList(CaseState.openStates.map { SQLBind($0.rawValue) })
        return """
            SELECT \(quoted: "id") FROM \(quoted: CaseModel.schema) WHERE \(quoted: CaseModel.ancestorKey(scope.level).description) = \(bind: scope.code)
            AND \(quoted: "state") IN (\(open)) ORDER BY \(quoted: "id") DESC LIMIT \(literal: limit)
            """
    }

    /// A list inside a township or a village, newest first. A township holds a tenth of the county's
    /// cases and a village a hundredth, so walking the cases newest first finds a page after a few
    /// hundred or thousand; on SQLite the area's (code, state, id) index and a sort of every case of the
    /// area took 0.3–2.1 s a page for a township at a million cases (`casesNewestFirst`). A state filter
    /// still uses (state, id). A grid (a thousandth) keeps its index; `byIDs`, its ids are read from it and stepped
    /// through newest first, the rows read until the page is full: read whole and sorted, its thousand rows took 4.5 ms.
    func newestFirst(_ query: CaseListQuery, within scope: OrgScope, byIDs: Bool) -> CaseListQuery {
        if scope.level == .grid, byIDs {
            return query.filter(CaseModel.filter(within: scope))
                .filter(.sql(embed: "\(quoted: CaseModel.schema).\(quoted: "id") IN (\(CaseAccess.caseIDs(where: "grid_code", "= \(bind: scope.code)")))"))
        }
        guard scope.level == .township || scope.level == .village else { return query.filter(CaseModel.filter(within: scope)) }
        return query.filter(.casesNewestFirst(CaseModel.ancestorKey(scope.level), equals: scope.code, on: db))
    }

    /// Dispatched or in progress: the cases a department or a grid is still working on (the grid's
    /// tasks, the co-handling queue).
    static let inHandStates: [CaseState] = [.dispatched, .inProgress]

    /// `rowsWalked`: the page walks the department's rows (`departmentPage`), which then stand for the
    /// co-handling queue's shared rows.
    func apply(_ queue: CaseQueue, to query: CaseListQuery, actor: Actor, rowsWalked: Bool = false) throws -> CaseListQuery {
        func centreInScope(_ q: CaseListQuery) -> CaseListQuery {
            // The centre's code extends the actor's own: a county dispatcher owns every centre below it.
            q.filter("centre_org_code", .contains(inverse: false, .prefix), actor.orgCode)
        }
        let department = actor.departmentCode ?? "-"
        switch queue {
        case .toRegister: return centreInScope(query.filter("state", constant: CaseState.reported.rawValue))
        case .toDispatch: return centreInScope(query.filter("state", constant: CaseState.registered.rawValue))
        case .returned:
            return centreInScope(query.filter("state", constant: CaseState.registered.rawValue).filter("last_action", constant: CaseAction.returnCase.rawValue))
        case .extensionRequests: return centreInScope(query.filter(.sql(embed: "\(unsafeRaw: IndexExtensionRequests.pending)")))
        case .awaitingEvaluation: return centreInScope(query.filter("state", constant: CaseState.verified.rawValue))
        case .toClose: return centreInScope(query.filter("state", constant: CaseState.evaluated.rawValue))
        case .departmentNew:
            return query.filter("lead_department_code", .equal, department).filter("state", constant: CaseState.dispatched.rawValue)
        case .inHand:
            return query.filter("lead_department_code", .equal, department).filter("state", constant: CaseState.inProgress.rawValue)
        case .coHandling:
            // Bound: told how few cases are in hand, PostgreSQL read them all and hashed them against the
            // department's rows (0.59 ms at a million cases, growing with them) instead of walking those rows.
            let open = query.filter("state", in: Self.inHandStates.map(\.rawValue))
            if rowsWalked { return open }
            return open.filter(.sql(embed: "\(quoted: CaseModel.schema).\(quoted: "id") IN (SELECT \(quoted: "case_id") FROM \(quoted: CaseDepartmentModel.schema) WHERE \(quoted: "department_code") = \(bind: department) AND \(unsafeRaw: IndexSharedDepartmentRows.shared))"))
        case .gridTasks:
            return query.filter("assigned_grid_code", in: actor.gridCodes)
                .filter("state", constantIn: Self.inHandStates.map(\.rawValue))
        case .verification:
            var q = query.filter("state", constant: CaseState.handled.rawValue)
                .filter(.group([.cases("result_by", .notEqual, .bind(actor.username)), .cases("result_by", .equal, .null)], .or))
            if actor.role == .gridWorker {
                let villages = Array(Set(actor.gridCodes.map { String($0.prefix(12)) }))
                q = q.filter("village_code", in: villages)
            } else {
                q = centreInScope(q)
            }
            return q
        case .mine:
            return query.filter("reporter_username", .equal, actor.username)
        }
    }

    /// Colours from the stored threshold times: a plain comparison per case, no recomputation.
    public static func colour(_ level: WarningLevel, at now: Date, _ query: CaseListQuery) -> CaseListQuery {
        let open = query.filter("state", in: CaseState.openStates.map(\.rawValue))
        switch level {
        case .red: return open.filter("due_at", .lessThanOrEqual, now)
        case .yellow: return open.filter("yellow_at", .lessThanOrEqual, now).filter("due_at", .greaterThan, now)
        case .blue: return open.filter("blue_at", .lessThanOrEqual, now).filter("yellow_at", .greaterThan, now)
        case .none: return open.filter(.group([.cases("blue_at", .greaterThan, .bind(now)), .cases("due_at", .equal, .null)], .or))
        }
    }

    /// The level whose areas an area's counts are broken into: the one below it, a grid's own for a grid.
    static func unitLevel(below level: OrgLevel) -> OrgLevel { level.childLevel ?? level }

    public typealias UnitWarnings = (code: String, red: Int, yellow: Int, blue: Int)

    /// Open cases by colour for each unit directly below `root` (or the root itself for a grid), in
    /// one pass over the root's open cases: three counts per unit took 30 statements for a county of
    /// ten townships. `red` is the root's whole count, cases in no unit below it too.
    public func warningCounts(below root: String, now: Date) async throws -> (units: [UnitWarnings], red: Int) {
        guard let level = OrgCode.level(of: root) else { return ([], 0) }
        let rows = try await PlainReads.rows(Self.warningCountsQuery(below: root, level: level, now: now), on: db)
        var counts: [String: (red: Int, yellow: Int, blue: Int)] = [:]
        var red = 0
        for row in rows {
            let unitRed = try row.decode(column: "red", as: Int.self)
            red += unitRed
            guard let code = try row.decode(column: "unit", as: String?.self) else { continue }
            counts[code] = (unitRed, try row.decode(column: "yellow", as: Int.self), try row.decode(column: "blue", as: Int.self))
        }
        return (try await unitRows(below: OrgScope(level: level, code: root), counts), red)
    }

    /// Every unit directly below `scope` (the scope itself for a grid) with its counts, none where it has none.
    private func unitRows(below scope: OrgScope, _ counts: [String: (red: Int, yellow: Int, blue: Int)]) async throws -> [UnitWarnings] {
        let children = try await OrgUnitService(db: db).choices(within: scope, levels: [Self.unitLevel(below: scope.level)]).map(\.code)
        return (children.isEmpty ? [scope.code] : children).map { code in
            let c = counts[code] ?? (0, 0, 0)
            return (code, c.red, c.yellow, c.blue)
        }
    }

    /// An area's open cases at a glance, the overview's reads: its newest `limit` open cases for the map, how many of
    /// its cases are in each state, and each unit's colours one level down (as `stateCounts` and `warningCounts`).
    /// When the map holds every open case of the area (fewer than `limit`), the counts are tallied from its points
    /// instead of read again: the two grouped reads over the open cases were a quarter of the overview's CPU at a
    /// million cases, and read the same index entries as the map.
    public func openAtAGlance(within scope: OrgScope, limit: Int, clocks: Bool, now: Date) async throws
        -> (newest: [CaseMapPoint], inStates: [CaseState: Int], units: [UnitWarnings], red: Int) {
        let newest = try await newestOpen(within: scope, limit: limit, clocks: clocks)
        guard newest.count < limit else {
            let (units, red) = try await warningCounts(below: scope.code, now: now)
            return (newest, try await stateCounts(within: scope), units, red)
        }
        var inStates = try await finishedCounts(within: scope)
        var open = [Int](repeating: 0, count: CaseState.all.count)
        var counts: [String: (red: Int, yellow: Int, blue: Int)] = [:]
        var red = 0
        // Field by field: each point taken whole was a copy of its texts' references.
        for i in newest.indices {
            open[newest[i].caseState.ordinal] += 1
            let (due, yellow, blue) = (newest[i].dueAt, newest[i].yellowAt, newest[i].blueAt)
            // As `warningCountsQuery` compares them in SQL: a missing moment is no colour.
            let isRed = due.map { $0 <= now } ?? false
            let isYellow = !isRed && due != nil && (yellow.map { $0 <= now } ?? false)
            let isBlue = (yellow.map { $0 > now } ?? false) && (blue.map { $0 <= now } ?? false)
            if isRed { red += 1 }
            guard isRed || isYellow || isBlue, let unit = newest[i].unitCode else { continue }
            let c = counts[unit] ?? (0, 0, 0)
            counts[unit] = (c.red + (isRed ? 1 : 0), c.yellow + (isYellow ? 1 : 0), c.blue + (isBlue ? 1 : 0))
        }
        for (state, n) in zip(CaseState.all, open) where n > 0 { inStates[state] = n }
        return (newest, inStates, try await unitRows(below: scope, counts), red)
    }

    /// Each unit's red, yellow and blue counts among the area's open cases, grouped by the unit one level down.
    /// Only the cases with a colour are grouped: a case none of whose times has come adds nothing to any sum,
    /// and SQLite groups by sorting, which with every open case of a county (80,000 after a burst of reports)
    /// was most of the query's 43 ms and spilled to a temporary file; a case with a colour is a small share.
    static func warningCountsQuery(below root: String, level: OrgLevel, now: Date) -> SQLQueryString {
        let unit = SQLIdentifier(CaseModel.ancestorKey(level.childLevel ?? level).description)
        return SQLQueryString("""
            SELECT \(unit) AS \(quoted: "unit"),
            SUM(CASE WHEN \(quoted: "due_at") <= \(bind: now) THEN 1 ELSE 0 END) AS \(quoted: "red"),
            SUM(CASE WHEN \(quoted: "yellow_at") <= \(bind: now) AND \(quoted: "due_at") > \(bind: now) THEN 1 ELSE 0 END) AS \(quoted: "yellow"),
            SUM(CASE WHEN \(quoted: "blue_at") <= \(bind: now) AND \(quoted: "yellow_at") > \(bind: now) THEN 1 ELSE 0 END) AS \(quoted: "blue")
            FROM \(quoted: CaseModel.schema) WHERE \(Self.openCases(within: root, level: level))
            AND (\(quoted: "due_at") <= \(bind: now) OR \(quoted: "yellow_at") <= \(bind: now) OR \(quoted: "blue_at") <= \(bind: now))
            GROUP BY \(unit)
            """)
    }

    /// The open cases of an area, as the open cases' index holds them (migration 019's; on SQLite 027's): its
    /// county's code, which leads the index, and the codes below it down to the area's own, which its
    /// entries carry, so no case's row is read. A city has no column there and reads the cases.
    static func openCases(within root: String, level: OrgLevel) -> some SQLExpression {
        let codes = OrgCode.ancestry(of: root)
        let area: [(OrgLevel, String?)] = level == .city
            ? [(.city, root)]
            : [(.county, codes.countyCode), (.township, codes.townshipCode), (.village, codes.villageCode), (.grid, codes.gridCode)]
        let equal: [any SQLExpression] = area.compactMap { level, code in
            code.map { SQLBinaryExpression(SQLIdentifier(CaseModel.ancestorKey(level).description), .equal, SQLBind($0)) }
        }
        return SQLList(equal + [SQLRaw(IndexOpenCaseWarnings.open)], separator: SQLRaw(" AND "))
    }

    /// How many cases of the area are in each state. The open ones in one pass over the area's (area,
    /// state) index entries of the open states; the finished ones, most of the area's history, from
    /// their kept counts (`FinishedCountModel`).
    public func stateCounts(within scope: OrgScope) async throws -> [CaseState: Int] {
        let column = SQLIdentifier(CaseModel.ancestorKey(scope.level).description)
        let open = SQLList(CaseState.openStates.map { SQLBind($0.rawValue) })
        return try await counts(of: SQLQueryString("""
            SELECT \(quoted: "state"), COUNT(*) AS \(quoted: "n") FROM \(quoted: CaseModel.schema)
            WHERE \(column) = \(bind: scope.code) AND \(quoted: "state") IN (\(open)) GROUP BY \(quoted: "state")
            UNION ALL \(Self.finishedCountsQuery(within: scope))
            """))
    }

    /// How many of the area's cases are in each finished state, from their kept counts.
    func finishedCounts(within scope: OrgScope) async throws -> [CaseState: Int] {
        try await counts(of: Self.finishedCountsQuery(within: scope))
    }

    private static func finishedCountsQuery(within scope: OrgScope) -> SQLQueryString {
        """
        SELECT \(quoted: "state"), \(quoted: "case_count") AS \(quoted: "n") FROM \(quoted: FinishedCountModel.schema)
        WHERE \(quoted: "dimension") = \(bind: RollupDimension.org.rawValue) AND \(quoted: "unit_code") = \(bind: scope.code)
        """
    }

    /// A count for each state, from rows of `state` and `n`.
    private func counts(of query: SQLQueryString) async throws -> [CaseState: Int] {
        let rows = try await PlainReads.rows(query, on: db)
        var counts: [CaseState: Int] = [:]
        for row in rows {
            guard let state = CaseState(rawValue: try row.decode(column: "state", as: String.self)) else { continue }
            counts[state] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    public func events(caseID: Int) async throws -> [CaseEventRecord] {
        try await PlainReads.rows(Self.eventsOfCase, equals: caseID, on: db).map(CaseEventRecord.init)
    }

    /// The events the reporter may see, in order.
    public func publicEvents(caseID: Int) async throws -> [PublicEventRecord] {
        try await PlainReads.rows(Self.publicEventsOfCase, equals: caseID, on: db).compactMap(PublicEventRecord.init)
    }

    private static let eventsOfCase = PlainReads.SelectWhere(CaseEventRecord.columns, from: CaseEventModel.schema, where: "case_id",
                                                             orderedBy: "seq")
    private static let publicEventsOfCase = PlainReads.SelectWhere(PublicEventRecord.columns, from: CaseEventModel.schema, where: "case_id",
                                                                   orderedBy: "seq")

    /// A case's photos, in order. `counted` is how many it has, when that was read with the case
    /// (`CaseView.photos`): when it has none, no statement is run.
    public func attachments(caseID: Int, counted: Int? = nil) async throws -> [AttachmentModel] {
        if counted == 0 { return [] }
        return try await PlainReads.all(AttachmentModel.self, where: "case_id", equals: caseID, orderedBy: "id", on: db)
    }

    /// 重复件提示: open cases of the same category within `radius` metres in the last 7 days, newest first, as a
    /// list's columns on the request's direct reader: a staff report answers with them, and read as up to 50 whole
    /// models through SQLiteNIO's pool they made a hotline's reports after a burst of calls about one spot 1.4 ms each.
    /// Only cases `viewer` may list (`CaseAccess.visible`) are hinted: a report taken at another township's window
    /// showed that township's cases, descriptions and addresses, to someone whose lists do not show them.
    /// `floor` keeps the window's smallest id between requests (`RecentCasesFloor`, SQLite only).
    public func duplicateHints(lat: Double, lon: Double, categoryCode: String?, excluding caseID: Int?, now: Date, visibleTo viewer: Actor,
                               floor: RecentCasesFloor? = nil, radius: Double = 100, days: Double = 7) async throws -> [CaseSummary] {
        guard let categoryCode else { return [] }
        let point = GeoPoint(lon: lon, lat: lat)
        let dLat = radius / 111_320
        let dLon = radius / (111_320 * max(0.01, cos(lat * .pi / 180)))
        // Every case of the last days has an id at or past the smallest among them (read from the (created_at,
        // id) index), so the category's (category, id) index is walked from its newest back to that id only.
        let since = now.addingTimeInterval(-days * 86400)
        let windowFloor: Int?
        if let floor, (db as? any SQLDatabase)?.dialect.name == "sqlite" {
            windowFloor = try await floor.firstID(since: since) { try await self.firstID(since: since) }
        } else {
            windowFloor = try await firstID(since: since)
        }
        guard let firstID = windowFloor else { return [] }
        let query = CaseListQuery(on: db)
            .filter("category_code", .equal, categoryCode)
            .filter("id", .greaterThanOrEqual, firstID)
            .filter("created_at", .greaterThanOrEqual, since)
            .filter("state", in: CaseState.openStates.map(\.rawValue))
            .filter("lat", .greaterThanOrEqual, lat - dLat).filter("lat", .lessThanOrEqual, lat + dLat)
            .filter("lon", .greaterThanOrEqual, lon - dLon).filter("lon", .lessThanOrEqual, lon + dLon)
        if let caseID { query.filter("id", .notEqual, caseID) }
        return try await page(CaseAccess.visible(query, to: viewer).sort("id", .descending), limit: 50).filter { other in
            guard let la = other.lat, let lo = other.lon else { return false }
            return point.distanceMeters(to: GeoPoint(lon: lo, lat: la)) <= radius
        }
    }

    /// Whole models of `ids` (a list's cases, to check each against its reader's access), newest first.
    public func models(ids: [Int]) async throws -> [CaseModel] {
        guard !ids.isEmpty else { return [] }
        return try await CaseModel.query(on: db).filter(\.$id ~~ ids).sort(\.$id, .descending).all()
    }

    /// The smallest id among the cases created since `since`, from the (created_at, id) index. As `min(id)`
    /// SQLite took its shortcut for a minimum: the table walked in id order up to its first case that recent.
    private func firstID(since: Date) async throws -> Int? {
        try await PlainReads.rows(SQLQueryString("SELECT MIN(id + 0) AS first FROM cases WHERE created_at >= \(bind: since)"), on: db).first?
            .decode(column: "first", as: Int?.self)
    }

    /// The case a query code opens (issued under `cipher`, or drawn at random before it); a merged case leads to its master.
    public func track(queryCode raw: String, cipher: QueryCodeCipher?) async throws -> TrackedCase {
        var found: TrackedCase?
        if let code = QueryCode.normalise(raw) {
            if let issued = QueryCodeHash.storedIfIssued(code, cipher: cipher) { found = try await tracked(Self.trackedByQueryCode, equals: issued) }
            if found == nil { found = try await tracked(Self.trackedByQueryCode, equals: QueryCodeHash.hash(code)) }
        }
        guard var found else {
            throw AppError(.notFound, code: "track.not_found", zh: "查询码不正确,请核对后重试。", en: "No case has this query code.")
        }
        var hops = 0
        while let masterID = found.masterCaseID, hops < 10, let master = try await tracked(Self.trackedByID, equals: masterID) {
            found = master
            hops += 1
        }
        return found
    }

    private func tracked(_ select: PlainReads.SelectWhere, equals value: some Encodable & Sendable) async throws -> TrackedCase? {
        try await PlainReads.rows(select, equals: value, on: db).first.map(TrackedCase.init)
    }

    private static let trackedByQueryCode = PlainReads.SelectWhere(TrackedCase.columns, from: CaseModel.schema, where: "query_code_hash",
                                                                   orderedBy: nil, limit: 1, counting: CaseView.photos)
    private static let trackedByID = PlainReads.SelectWhere(TrackedCase.columns, from: CaseModel.schema, where: "id", orderedBy: nil, limit: 1,
                                                            counting: CaseView.photos)
}
