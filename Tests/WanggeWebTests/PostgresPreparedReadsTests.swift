import FluentKit
import Foundation
import SQLKit
import WanggeDomain
import XCTest

@testable import WanggePersistence
@testable import WanggeWeb

/// The hot reads on PostgreSQL go as named prepared statements with their rows decoded from PostgresNIO's
/// cells (`PostgresPreparedReads`); they must read exactly what PostgresKit's own path reads, be prepared
/// once per connection, and leave alone what must stay unnamed.
final class PostgresPreparedReadsTests: XCTestCase {
    func testPreparedReadsDecodeAsPostgresKitDoesAndArePreparedOncePerConnection() async throws {
        try await withPostgresApp(demo: false) { t, _ in
            try await onOneConnection(t.app.db) { db in
                let sql = db as! any SQLDatabase
                try await sql.raw("""
                    CREATE TABLE prepared_probe (k text PRIMARY KEY, s text, ns text, i bigint, small integer, d double precision,
                    b boolean, u uuid, at timestamptz, j jsonb, tags text[], n numeric)
                    """).run()
                try await sql.raw("""
                    INSERT INTO prepared_probe VALUES
                    ('full', '网格 grid', 'x', 9007199254740993, -7, 30.25, true, 'd3b07384-d9a0-4c9b-8f3a-1b2c3d4e5f60',
                     '2026-11-23 08:15:30.123456+00', '{"a": [1, 2]}', ARRAY['甲', 'b'], 12.50),
                    ('empty', '', NULL, 0, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL)
                    """).run()
                let columns = "k, s, ns, i, small, d, b, u, at, j, tags, n"

                for key in ["full", "empty"] {
                    let statement: SQLQueryString = "SELECT \(unsafeRaw: columns) FROM prepared_probe WHERE k = \(bind: key)"
                    let preparedRows = try await PlainReads.rows(statement, on: db)
                    let plainRows = try await sql.raw(statement).all()
                    let prepared = try XCTUnwrap(preparedRows.first), plain = try XCTUnwrap(plainRows.first)
                    func same<T: Decodable & Equatable>(_ column: String, _ type: T.Type, line: UInt = #line) {
                        let a = Result { try prepared.decode(column: column, as: T.self) }
                        let b = Result { try plain.decode(column: column, as: T.self) }
                        switch (a, b) {
                        case let (.success(x), .success(y)): XCTAssertEqual(x, y, "\(key).\(column) as \(T.self)", line: line)
                        case (.failure, .failure): break
                        default: XCTFail("\(key).\(column) as \(T.self): prepared \(a), PostgresKit \(b)", line: line)
                        }
                    }
                    same("s", String.self); same("ns", String?.self); same("ns", String.self)
                    same("i", Int.self); same("i", Int64.self); same("i", Int?.self); same("small", Int?.self); same("small", Int.self)
                    same("d", Double?.self); same("b", Bool.self); same("b", Bool?.self)
                    same("u", UUID?.self); same("at", Date?.self); same("at", Date.self)
                    // Types the fast path leaves to PostgresKit's decoding.
                    same("tags", [String]?.self); same("n", Decimal?.self); same("j", String?.self); same("k", Float.self)
                    XCTAssertEqual(try prepared.decodeNil(column: "ns"), try plain.decodeNil(column: "ns"))
                    XCTAssertEqual(prepared.allColumns, plain.allColumns)
                    XCTAssertThrowsError(try prepared.decode(column: "missing", as: String.self))
                }
                // Two columns of one name: the same one read either way.
                let twice: SQLQueryString = "SELECT k AS x, s AS x FROM prepared_probe WHERE k = \(bind: "full")"
                let (twicePrepared, twicePlain) = (try await PlainReads.rows(twice, on: db), try await sql.raw(twice).all())
                XCTAssertEqual(try twicePrepared.first?.decode(column: "x", as: String.self), try twicePlain.first?.decode(column: "x", as: String.self))
                XCTAssertEqual(try twicePrepared.first?.decode(column: "x", as: String.self), "网格 grid")
                let fullRows = try await PlainReads.rows(
                    "SELECT \(unsafeRaw: columns) FROM prepared_probe WHERE k = \(bind: "full")" as SQLQueryString, on: db)
                let full = try XCTUnwrap(fullRows.first)
                XCTAssertEqual(try full.decode(column: "i", as: Int.self), 9_007_199_254_740_993, "a bigint past a double's precision")
                XCTAssertEqual(try full.decode(column: "s", as: String.self), "网格 grid")
                XCTAssertEqual(try full.decode(column: "at", as: Date.self).timeIntervalSince1970, 1_795_421_730.123456, accuracy: 0.000001)

                // Prepared once on this connection, however many reads and values.
                func prepared(_ fragment: String) async throws -> Int {
                    try await sql.raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \(bind: "%" + fragment + "%")")
                        .first()!.decode(column: "n", as: Int.self)
                }
                let probeStatements = try await prepared(columns + " FROM prepared_probe WHERE k = $1")
                XCTAssertEqual(probeStatements, 1)

                // Left unnamed, and still read: every column (a newer instance's migration adding one would
                // break the prepared statement), and long lists of values (each length a statement of its own).
                let star = try await PlainReads.rows("SELECT * FROM prepared_probe WHERE k = \(bind: "full")" as SQLQueryString, on: db)
                XCTAssertEqual(try star.first?.decode(column: "small", as: Int.self), -7)
                let keys = ["full"] + (1...20).map { "absent-\($0)" }
                let list = try await PlainReads.rows(
                    "SELECT k FROM prepared_probe WHERE k IN (\(SQLList(keys.map { SQLBind($0) }))) ORDER BY k" as SQLQueryString, on: db)
                XCTAssertEqual(try list.map { try $0.decode(column: "k", as: String.self) }, ["full"])
                let (starStatements, listStatements) = (try await prepared("SELECT *"), try await prepared("IN ("))
                XCTAssertEqual(starStatements, 0)
                XCTAssertEqual(listStatements, 0)

                // A column added after the statement was prepared: the named list still reads.
                try await sql.raw("ALTER TABLE prepared_probe ADD COLUMN added text").run()
                let again = try await PlainReads.rows("SELECT k, s FROM prepared_probe WHERE k = \(bind: "full")" as SQLQueryString, on: db)
                XCTAssertEqual(try again.first?.decode(column: "s", as: String.self), "网格 grid")
                let afterAlter = try await PlainReads.rows("SELECT * FROM prepared_probe WHERE k = \(bind: "full")" as SQLQueryString, on: db)
                XCTAssertTrue(afterAlter.first?.contains(column: "added") ?? false)
            }
        }
    }

    /// Rows made by position (`PostgresPositionalRow`) read each cell as a row read by name through PostgresKit does:
    /// the same values, and an error where it gives one (a NULL where a value is wanted, text read as a number).
    func testRowsReadByPositionDecodeAsPostgresKitsRowsByName() async throws {
        try await withPostgresApp(demo: false) { t, sql in
            try await sql.raw("""
                CREATE TABLE positional_probe (k text PRIMARY KEY, s text, i bigint, small integer, d double precision,
                at timestamptz, n numeric)
                """).run()
            try await sql.raw("""
                INSERT INTO positional_probe VALUES
                ('full', '网格 grid', 9007199254740993, -7, 30.25, '2026-11-23 08:15:30.123456+00', 12.50),
                ('empty', NULL, NULL, NULL, NULL, NULL, NULL), ('more', '', 3, 4, -0.5, '1970-01-01 00:00:00+00', 7)
                """).run()
            // A sum of bigints is numeric: the positional row leaves it to PostgresKit, as the rows by name do.
            let statement: SQLQueryString = """
                SELECT k, s, i, small, d, at, n, SUM(i) OVER () AS total FROM positional_probe WHERE k <> \(bind: "none") ORDER BY k
                """
            let names = ["k", "s", "i", "small", "d", "at", "n", "total"]
            let (text, binds) = sql.serialize(statement)
            let positional = try await PostgresPreparedReads.decoded(text, binds, as: CellProbe.self, on: t.app.db)
            let byName = try await sql.raw(statement).all().map { try CellProbe(positions: NamedPositions(row: $0, names: names)) }
            XCTAssertEqual(try XCTUnwrap(positional, "the prepared path takes the statement").map(\.cells), byName.map(\.cells))
            XCTAssertEqual(byName.count, 3, "empty, full, more")
            XCTAssertEqual(positional?[1].cells[2][2], "i: 9007199254740993", "a bigint past a double's precision")
            XCTAssertEqual(positional?[0].cells.dropFirst().dropLast().map { $0.sorted() },
                           Array(repeating: ["d?: nil", "i: error", "s: error", "s?: nil", "t: error", "t?: nil"], count: 6),
                           "NULLs: nil where optional, an error where not")
            let decoded = try await PlainReads.decoded(statement, columns: names, as: CellProbe.self, on: t.app.db)
            XCTAssertEqual(decoded.map(\.cells), byName.map(\.cells))
        }
    }

    /// The reads a citizen's tracking makes go prepared, and answer as before.
    func testTrackingIsPreparedOnPostgreSQL() async throws {
        try await withPostgresApp { t, _ in
            let spot = try t.centre(of: "330110001001-01")
            let report = try await t.report(["channel": "citizen", "description": "路灯不亮,晚上看不清路", "categoryCode": "0101",
                                             "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(report.json["code"] as? String)
            let query = try XCTUnwrap(report.json["queryCode"] as? String)
            let cipher = try await QueryCodeKey.cipher(on: t.app.db)
            try await onOneConnection(t.app.db) { db in
                for _ in 1...3 {
                    let tracked = try await CaseQueryService(db: db).track(queryCode: query, cipher: cipher)
                    XCTAssertEqual(tracked.code, code)
                    XCTAssertEqual(tracked.photoCount, 0)
                }
                let count = try await (db as! any SQLDatabase)
                    .raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%WHERE \"query_code_hash\" = $1%'")
                    .first()!.decode(column: "n", as: Int.self)
                XCTAssertEqual(count, 1, "tracking's lookup is prepared once on the connection that made it")
            }
            let page = try await t.api(.GET, "/api/v1/track/\(query)")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.contains(code), page.body)
        }
    }

    /// A transition reads its case as a model and updates the step's columns: both go prepared on
    /// PostgreSQL, read and write what Fluent's own paths do, and a lost version claim changes nothing.
    func testAModelsReadAndAStepsUpdateArePreparedOnPostgreSQL() async throws {
        try await withPostgresApp { t, _ in
            let report = try await t.report(["channel": "citizen", "description": "小区门口的路灯坏了"])
            let code = try XCTUnwrap(report.json["code"] as? String)
            try await onOneConnection(t.app.db) { db in
                let sql = db as! any SQLDatabase
                func prepared(_ fragment: String) async throws -> Int {
                    try await sql.raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \(bind: fragment)")
                        .first()!.decode(column: "n", as: Int.self)
                }
                let read = try await PlainReads.first(CaseModel.self, where: "code", equals: code, on: db)
                let model = try XCTUnwrap(read)
                let fluentRead = try await CaseModel.query(on: db).filter(\.$code == code).first()
                let fluent = try XCTUnwrap(fluentRead)
                XCTAssertEqual(model.id, fluent.id)
                XCTAssertEqual(model.description, fluent.description)
                XCTAssertEqual(model.createdAt, fluent.createdAt)
                XCTAssertEqual(model.eventHash, fluent.eventHash)
                XCTAssertEqual(model.snapshotJSON, fluent.snapshotJSON)
                let modelReads = try await prepared("SELECT \"id\", \"code\", % FROM \"cases\" WHERE \"code\" = $1%")
                XCTAssertEqual(modelReads, 1)

                let id = try XCTUnwrap(model.id)
                let version = model.version
                let rows = FluentRows(db: db)
                let changed = try await rows.update(CaseModel.schema, set: [("result", .text("已处理\"完毕\"")), ("closed_at", .null), ("version", .int(version + 1))],
                                                    where: [("id", .int(id)), ("version", .int(version))])
                XCTAssertEqual(changed, 1)
                let lost = try await rows.update(CaseModel.schema, set: [("result", .text("不该写入")), ("closed_at", .null), ("version", .int(version + 1))],
                                                 where: [("id", .int(id)), ("version", .int(version))])
                XCTAssertEqual(lost, 0, "a claim on a version already moved on changes nothing")
                let after = try await CaseModel.find(id, on: db)
                XCTAssertEqual(after?.result, "已处理\"完毕\"")
                XCTAssertEqual(after?.version, version + 1)
                let updates = try await prepared("UPDATE \"cases\" SET \"result\" = $1, \"closed_at\" = NULL, %")
                XCTAssertEqual(updates, 1, "one statement for both claims")
            }
            // And a transition through the API still works end to end.
            let dispatcher = try await t.token("dispatcher")
            let noted = try await t.api(.POST, "/api/v1/cases/\(code)/transitions", token: dispatcher, json: ["action": "note", "note": "已电话联系"])
            XCTAssertEqual(noted.status, .ok, noted.body)
        }
    }
}

extension PostgresPreparedReadsTests {
    /// A grid worker's lists keep one plan on PostgreSQL. PostgreSQL plans a prepared statement's first five
    /// runs for their values, then keeps one plan for any values if it is no dearer; the lists' bound states
    /// (skewed: a few cases in each open state, most archived) made it plan them again at every request, and
    /// the open cases' list, with fourteen bound states, went unnamed: 2.5 ms of PostgreSQL's CPU a grid
    /// worker's page. Each list is read eight times on one connection, on a table shaped like a county's: each
    /// must be prepared and planned no more than those first five times. (A dispatcher's queues and a
    /// department's lists still plan afresh where their prefix or department is common; see BENCHMARKS.md.)
    func testAGridWorkersListsArePreparedAndPlannedOnceOnPostgreSQL() async throws {
        try await withPostgresApp { t, _ in
            let spot = try t.centre(of: "330110001001-01")
            let dispatcherToken = try await t.token("dispatcher")
            for n in 1...4 {
                let report = try await t.report(["channel": "citizen", "description": "路灯不亮第\(n)处", "categoryCode": "0101",
                                                 "location": ["lat": spot.lat, "lon": spot.lon]])
                let code = try XCTUnwrap(report.json["code"] as? String)
                if n > 1 { try await t.act(code, "register", token: dispatcherToken) }
                if n > 2 {
                    try await t.act(code, "dispatch", token: dispatcherToken, ["departmentCode": "330110-CG", "coDepartmentCodes": ["330110-ZJ"]])
                }
            }
            func actor(_ username: String) async throws -> Actor {
                let user = try await UserModel.query(on: t.app.db).filter(\.$username == username).first()
                return try await SessionAuthenticator.actor(for: try XCTUnwrap(user), on: t.app.db)
            }
            let gridWorker = try await actor("grid1")
            func filter(_ queue: CaseQueue? = nil, states: [CaseState] = []) -> CaseFilter {
                var filter = CaseFilter()
                (filter.queue, filter.states) = (queue, states)
                return filter
            }
            // Each list's statement, found by words it has whatever the form of its states.
            let lists: [(name: String, filter: CaseFilter, words: [String])] = [
                ("the open cases", filter(states: CaseState.openStates), ["\"reporter_username\" = $", "SELECT MIN("]),
                ("the tasks", filter(.gridTasks), ["WHERE \"cases\".\"assigned_grid_code\" IN ($"]),
                ("the cases to verify", filter(.verification), ["\"result_by\" <> $"]),
            ]
            try await onOneConnection(t.app.db) { db in
                let sql = db as! any SQLDatabase
                try await shapeLikeACounty(sql)
                let queries = CaseQueryService(db: db)
                var found: [String: Int] = [:]
                for _ in 1...8 {
                    for list in lists { found[list.name] = try await queries.list(list.filter, for: gridWorker).count }
                }
                XCTAssertEqual(found["the open cases"], 4)
                let statements = try await sql.raw("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements").all()
                for list in lists {
                    let matching = try statements.filter { row in
                        let text = try row.decode(column: "statement", as: String.self)
                        return list.words.allSatisfy { text.contains($0) }
                    }
                    XCTAssertFalse(matching.isEmpty, "\(list.name) is prepared")
                    for row in matching {
                        let custom = try row.decode(column: "custom_plans", as: Int.self)
                        let generic = try row.decode(column: "generic_plans", as: Int.self)
                        XCTAssertLessThanOrEqual(custom, 5, "\(list.name) planned for its values at every read")
                        XCTAssertGreaterThan(generic, 0, "\(list.name) keeps one plan")
                    }
                }
            }
        }
    }
}

extension PostgresPreparedReadsTests {
    /// A search among cases in states chosen by hand is planned for those states on PostgreSQL. Its one plan for any
    /// states walked the term's every entry and read each case: at 200,000 cases a dispatcher's 路灯 among the
    /// dispatched (7 of 7,514) took 14 ms of PostgreSQL's CPU, against 2 planned for them. A search with no states
    /// stays prepared. Each is read eight times on one connection, on a table shaped like a county's.
    func testASearchInChosenStatesIsPlannedForThemOnPostgreSQL() async throws {
        try await withPostgresApp { t, _ in
            let spot = try t.centre(of: "330110001001-01")
            let dispatcherToken = try await t.token("dispatcher")
            var dispatched: [String] = []
            for n in 1...4 {
                let report = try await t.report(["channel": "citizen", "description": "路灯不亮第\(n)处", "categoryCode": "0101",
                                                 "location": ["lat": spot.lat, "lon": spot.lon]])
                let code = try XCTUnwrap(report.json["code"] as? String)
                try await t.act(code, "register", token: dispatcherToken)
                if n > 2 {
                    try await t.act(code, "dispatch", token: dispatcherToken, ["departmentCode": "330110-CG"])
                    dispatched.append(code)
                }
            }
            let user = try await UserModel.query(on: t.app.db).filter(\.$username == "dispatcher").first()
            let dispatcher = try await SessionAuthenticator.actor(for: try XCTUnwrap(user), on: t.app.db)
            let expected = Array(dispatched.reversed())
            try await onOneConnection(t.app.db) { db in
                let sql = db as! any SQLDatabase
                try await shapeLikeACounty(sql)
                let queries = CaseQueryService(db: db)
                var search = CaseFilter()
                search.search = "路灯"
                var inState = search
                inState.states = [.dispatched]
                for _ in 1...8 {
                    let found = try await queries.list(inState, for: dispatcher).map(\.code)
                    XCTAssertEqual(found, expected)
                    let all = try await queries.list(search, for: dispatcher)
                    XCTAssertEqual(all.count, 4)
                }
                let kept = try await sql.raw("SELECT statement FROM pg_prepared_statements").all()
                    .map { try $0.decode(column: "statement", as: String.self) }
                    .filter { $0.contains("\"entry\".\"term\"") }
                XCTAssertFalse(kept.isEmpty, "the search with no states is prepared")
                XCTAssertFalse(kept.contains { $0.contains("\"cases\".\"state\" = ANY") }, "the search in chosen states is planned for them")
            }
        }
    }
}

/// A county's shape: most cases long archived (3,000 copies of the first case), a few in each open state.
private func shapeLikeACounty(_ sql: any SQLDatabase) async throws {
    let columns = try await sql.raw("""
        SELECT string_agg(quote_ident(column_name), ', ') AS names FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'cases' AND column_name NOT IN ('id', 'code', 'query_code_hash', 'state')
        """).first()!.decode(column: "names", as: String.self)
    try await sql.raw("""
        INSERT INTO cases (code, query_code_hash, state, \(unsafeRaw: columns))
        SELECT c.code || '-' || n, md5(c.code || n), 'archived', \(unsafeRaw: columns.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
        FROM cases c, generate_series(1, 3000) AS n WHERE c.id = (SELECT MIN(id) FROM cases)
        """).run()
    try await sql.raw("ANALYZE").run()
}

/// Runs `body` on one of the pool's connections, where PostgreSQL's prepared statements live.
private func onOneConnection(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
    try await db.withConnection { db in db.eventLoop.makeFutureWithTask { try await body(db) } }.get()
}

/// Every cell of a row read as each type a positional row offers, with the value or "error".
private struct CellProbe: PositionallyDecodable {
    let cells: [[String]]

    init<Row: PositionalRow>(positions row: Row) throws {
        func read<V>(_ label: String, _ value: () throws -> V) -> String {
            (try? value()).map { "\(label): \(String(describing: $0))" } ?? "\(label): error"
        }
        cells = (0..<row.count).map { i in
            [read("s") { try row.string(i) }, read("s?") { try row.optionalString(i) ?? "nil" }, read("i") { try row.int(i) },
             read("d?") { try row.optionalDouble(i).map { "\($0)" } ?? "nil" },
             read("t") { try row.date(i).timeIntervalSince1970 }, read("t?") { try row.optionalDate(i).map { "\($0.timeIntervalSince1970)" } ?? "nil" }]
        }
    }
}
