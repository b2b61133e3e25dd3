import FluentKit
import Foundation
import SQLKit
import XCTest

@testable import WanggePersistence
@testable import WanggeWeb

/// PostgreSQL's bulk writes go as one JSON array read by `json_populate_recordset`, in one prepared
/// statement per table and columns (`PostgresJSONRows`); what they store must be exactly what binding
/// each value stored. Intake draws its cases' ids before writing them (`RowSink.nextIDs`).
final class PostgresJSONRowsTests: XCTestCase {
    func testRowsWrittenAsJSONAreTheRowsBindingEachValueWrote() async throws {
        try await withPostgresApp(demo: false) { t, _ in
            let sql = t.app.db as! any SQLDatabase
            try await sql.raw("""
                CREATE TABLE json_probe (id bigserial PRIMARY KEY, k text UNIQUE, s text, i bigint, d double precision, b boolean,
                u uuid, at timestamptz)
                """).run()
            let columns = ["k", "s", "i", "d", "b", "u", "at"]
            let texts = ["引号\"与\\反斜杠\n换行\t制表\r回车\u{01}控制\u{1F}", "🚧 施工", "", "'; DROP TABLE json_probe; --", "/ \\/ \\u0041"]
            let numbers: [Double] = [30.25, 0.1, 1e-7, -0.0, 1e300, 120.123456789012, -Double.leastNonzeroMagnitude]
            let dates = [Date(), Date(timeIntervalSince1970: 1_795_421_730.123456), Date(timeIntervalSince1970: 946_684_799.5),
                         Date(timeIntervalSince1970: 946_684_799.9999985), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1e9 - 0.25),
                         Date(timeIntervalSince1970: 253_402_300_799.999)]
            var rows: [[BulkValue]] = []
            for index in 0..<max(texts.count, numbers.count, dates.count) {
                rows.append([.text(texts[index % texts.count]), .int([0, 1, -1, Int.max, Int.min, 9_007_199_254_740_993][index % 6]),
                             .double(numbers[index % numbers.count]), .bool(index % 2 == 0), .uuid(UUID()), .date(dates[index % dates.count])])
            }
            rows.append([.null, .null, .null, .null, .null, .null])

            // As JSON, in one statement, the database's ids returned.
            let insert = BulkInsert(table: "json_probe", columns: columns)
            let returned = try await insert.run(rows.enumerated().flatMap { [BulkValue.text("json-\($0)")] + $1 }, returning: ["id", "k"], on: t.app.db)
            XCTAssertEqual(Set(returned.compactMap { $0["k"]?.text }), Set(rows.indices.map { "json-\($0)" }))
            XCTAssertEqual(Set(returned.compactMap { $0["id"]?.int }).count, rows.count)
            // Each value bound on its own, as SQLKit binds it.
            for (index, row) in rows.enumerated() {
                var query = SQLQueryString("INSERT INTO json_probe (\(unsafeRaw: columns.joined(separator: ", "))) VALUES (")
                query.appendList([BulkValue.text("bound-\(index)")] + row)
                query.appendLiteral(")")
                try await sql.raw(query).run()
            }
            for index in rows.indices {
                let stored = try await sql.raw("""
                    SELECT (SELECT (to_jsonb(p) - 'id' - 'k')::text FROM json_probe p WHERE k = \(bind: "json-\(index)")) AS json,
                           (SELECT (to_jsonb(p) - 'id' - 'k')::text FROM json_probe p WHERE k = \(bind: "bound-\(index)")) AS bound
                    """).first()!
                let (json, bound) = (try stored.decode(column: "json", as: String.self), try stored.decode(column: "bound", as: String.self))
                XCTAssertEqual(json, bound, "row \(index)")
            }

            // One prepared statement, and a group of another size uses it again.
            _ = try await insert.run([.text("json-again"), .text("x"), .int(1), .double(1), .bool(true), .null, .null], on: t.app.db)
            let prepared = try await sql.raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%json_populate_recordset(NULL::\"json_probe\"%'")
                .first()!.decode(column: "n", as: Int.self)
            XCTAssertGreaterThanOrEqual(prepared, 1)
            let onOneConnection = try await t.app.db.withConnection { db in
                db.eventLoop.makeFutureWithTask {
                    _ = try await insert.run([.text("json-one"), .null, .int(2), .null, .null, .null, .null], on: db)
                    _ = try await insert.run([.text("json-two"), .null, .int(3), .null, .null, .null, .null, .text("json-three"), .null, .int(4), .null,
                                              .null, .null, .null], on: db)
                    let text = PostgresJSONRows.insert(into: "json_probe", columns: columns, tail: "")
                    return try await (db as! any SQLDatabase).raw("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = \(bind: text)")
                        .first()!.decode(column: "n", as: Int.self)
                }
            }.get()
            XCTAssertEqual(onOneConnection, 1, "groups of one and of two rows share one statement on a connection")

            // A number JSON cannot carry goes the old way, bound.
            _ = try await insert.run([.text("nan"), .null, .null, .double(.nan), .null, .null, .null], on: t.app.db)
            let nan = try await sql.raw("SELECT d::text AS d FROM json_probe WHERE k = 'nan'").first()?.decode(column: "d", as: String.self)
            XCTAssertEqual(nan, "NaN")

            // In a transaction that fails, nothing is left: the statement ran on the transaction's connection.
            struct Abandoned: Error {}
            do {
                try await t.app.db.transaction { tx in
                    _ = try await insert.run([.text("rolled-back"), .null, .null, .null, .null, .null, .null], on: tx)
                    throw Abandoned()
                }
            } catch is Abandoned {}
            let left = try await sql.raw("SELECT count(*) AS n FROM json_probe WHERE k = 'rolled-back'").first()!.decode(column: "n", as: Int.self)
            XCTAssertEqual(left, 0)
        }
    }

    func testTimestampsAreTheMicrosecondPostgresNIOWouldBind() {
        XCTAssertEqual(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 1_795_421_730.123456)), "2026-11-23T08:15:30.123456Z")
        XCTAssertEqual(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 946_684_799.5)), "1999-12-31T23:59:59.500000Z")
        XCTAssertEqual(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29T00:00:00.000000Z")
        XCTAssertEqual(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000000Z")
        XCTAssertNil(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 253_402_300_800)), "year 10000")
        XCTAssertNil(PostgresJSONRows.timestamp(Date(timeIntervalSince1970: 1e15)))
        XCTAssertEqual(PostgresJSONRows.quoted("a\"b\\c\nd\u{7}é"), "\"a\\\"b\\\\c\\nd\\u0007é\"")
        XCTAssertNil(PostgresJSONRows.json([.double(.infinity)], columns: ["d"]))
        XCTAssertEqual(PostgresJSONRows.json([.int(1), .null, .int(2), .bool(false)], columns: ["a", "b"]), "[{\"a\":1,\"b\":null},{\"a\":2,\"b\":false}]")
    }

    /// Reports written in groups take the ids drawn for them, which nothing else takes: rows added
    /// afterwards the ordinary way get the next ones, and on PostgreSQL two transactions drawing at once
    /// get different ones.
    func testIntakeDrawsIdsNothingElseTakes() async throws {
        try await withApp { t in
            var codes: [String] = []
            for text in ["路灯不亮,晚上很黑", "垃圾桶满了没人清理", "下水道井盖松动"] {
                let written = try await t.report(["channel": "citizen", "description": text])
                XCTAssertEqual(written.status, .created)
                codes.append(try XCTUnwrap(written.json["code"] as? String))
            }
            let cases = try await CaseModel.query(on: t.app.db).filter(\.$code ~~ codes).sort(\.$id).all()
            XCTAssertEqual(cases.map(\.code), codes, "ids in the order the reports came")
            let last = try XCTUnwrap(cases.last?.id)
            let drawn = try await t.app.db.transaction { tx in try await FluentRows(db: tx).nextIDs(CaseModel.schema, count: 3) }
            XCTAssertEqual(drawn.count, 3)
            XCTAssertEqual(drawn, drawn.sorted())
            XCTAssertGreaterThan(drawn[0], last)
            // Each case's stored chain head is its last event's hash, which covers its id.
            for model in cases {
                let lastEvent = try await CaseEventModel.query(on: t.app.db).filter(\.$caseID == model.id!).sort(\.$seq, .descending).first()
                XCTAssertEqual(model.eventHash, lastEvent?.hash)
                XCTAssertNotNil(model.eventHash)
            }
            let next = try await t.report(["channel": "citizen", "description": "楼道堆放杂物"])
            XCTAssertEqual(next.status, .created)
            guard t.database == .postgres else { return }
            async let a = t.app.db.transaction { tx in try await FluentRows(db: tx).nextIDs(CaseModel.schema, count: 20) }
            async let b = t.app.db.transaction { tx in try await FluentRows(db: tx).nextIDs(CaseModel.schema, count: 20) }
            let (first, second) = try await (a, b)
            XCTAssertTrue(Set(first).isDisjoint(with: second))
            XCTAssertEqual(Set(first + second).count, 40)
        }
    }
}
