import SQLKit
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// PostgreSQL's search term rows are their (case, term) pairs alone since migration 026: no id, no primary key, no
/// foreign key, whose per-row costs were most of the search index's writes. Search finds what it found, and the
/// migration reverts to the rows an older server wrote.
final class SearchTermRowsTests: XCTestCase {
    func testPostgreSQLSearchTermRowsAreTheirPairsAloneAndSearchFindsTheirCases() async throws {
        try await withPostgresApp { t, sql in
            let dispatcher = try await t.token("dispatcher-dh")
            func columns() async throws -> [String] {
                try await sql.raw("""
                    SELECT column_name FROM information_schema.columns WHERE table_name = 'case_search_terms' ORDER BY column_name
                    """).all().map { try $0.decode(column: "column_name", as: String.self) }
            }
            func constraints() async throws -> [String] {
                try await sql.raw("SELECT contype FROM pg_constraint WHERE conrelid = 'case_search_terms'::regclass ORDER BY contype")
                    .all().map { try $0.decode(column: "contype", as: String.self) }
            }
            func report(_ description: String) async throws -> String {
                let spot = try t.centre(of: "330110001001-01")
                let r = try await t.report(["channel": "citizen", "description": description, "categoryCode": "0101",
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
                XCTAssertEqual(r.status, .created, "\(r.json)")
                return try XCTUnwrap(r.json["code"] as? String)
            }
            func found(_ q: String) async throws -> Set<String> {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return Set(try await t.casePage("q=\(encoded)&limit=100", token: dispatcher).codes)
            }

            let columnsMigrated = try await columns()
            XCTAssertEqual(columnsMigrated, ["case_id", "term"])
            let constraintsMigrated = try await constraints()
            XCTAssertEqual(constraintsMigrated, [], "no primary key, no foreign key")
            let first = try await report("琥珀巷窨井缺盖")
            let indexed = try await t.app.indexSearchTerms()
            XCTAssertEqual(indexed, 1)
            let byFirst = try await found("窨井缺盖")
            XCTAssertEqual(byFirst, [first])

            // Reverted: the rows an older server wrote, each numbered, each tied to its case.
            try await SlimSearchTermRows().revert(on: t.app.db)
            let columnsReverted = try await columns()
            XCTAssertEqual(columnsReverted, ["case_id", "id", "term"])
            let constraintsReverted = try await constraints()
            XCTAssertEqual(constraintsReverted, ["f", "p"])
            let unnumbered = try await sql.raw("SELECT COUNT(*) AS n FROM case_search_terms WHERE id IS NULL").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(unnumbered, 0)
            let second = try await report("翡翠湾窨井松动")
            let indexedReverted = try await t.app.indexSearchTerms()
            XCTAssertEqual(indexedReverted, 1)
            let bothReverted = try await found("窨井")
            XCTAssertEqual(bothReverted, [first, second])

            try await SlimSearchTermRows().prepare(on: t.app.db)
            let columnsAgain = try await columns()
            XCTAssertEqual(columnsAgain, ["case_id", "term"])
            let third = try await report("玳瑁街窨井异响")
            try await t.app.indexSearchTerms()
            let all = try await found("窨井")
            XCTAssertEqual(all, [first, second, third])
            let byThird = try await found("窨井异响")
            XCTAssertEqual(byThird, [third])
        }
    }
}
