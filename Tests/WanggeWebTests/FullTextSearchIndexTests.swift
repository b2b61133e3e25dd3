import Foundation
import SQLKit
import WanggeDomain
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// On SQLite the search index is SQLite's full-text index (migration 023); PostgreSQL keeps term rows.
final class FullTextSearchIndexTests: XCTestCase {
    /// Reports indexed one batch each leave a segment each; the indexer merges them in steps of its own
    /// (FTS5 merging on its own is switched off), and search still finds every case once, newest first.
    func testTheIndexMergesItsSegmentsAndFindsEveryCaseOnce() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let automerge = try await sql.raw("SELECT v FROM case_search_index_config WHERE k = 'automerge'").first()?.decode(column: "v", as: Int.self)
            XCTAssertEqual(automerge, 0)
            let spot = try t.centre(of: "330110001001-01")
            let indexer = SearchTermIndexer(db: t.app.db, batch: 1)
            var codes: [String] = []
            var merged = 0
            for i in 0..<24 {
                let r = try await t.report(["channel": "citizen", "description": "柚子巷第\(i)号路灯不亮", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append(try XCTUnwrap(r.json["code"] as? String))
                let indexed = try await indexer.indexBatch()
                XCTAssertEqual(indexed, 1)
                merged += try await indexer.mergeSegments(pages: 4)
            }
            XCTAssertGreaterThan(merged, 0, "24 segments of one report each are merged")
            let dispatcher = try await t.token("dispatcher-dh")
            var found: [String] = []
            var after: String?
            repeat {
                let page = try await t.casePage("q=\("柚子巷 路灯".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=5"
                                                + (after.map { "&after=\($0)" } ?? ""), token: dispatcher)
                found += page.codes
                after = page.next
            } while after != nil && found.count < 30
            XCTAssertEqual(found, codes.reversed())
        }
    }

    /// Words that full-text syntax reads as operators (AND, OR, NOT, NEAR, `*`, `^`, quotes) and text
    /// beyond CJK and ASCII are searched as text: every answer a page, never an error, and the case
    /// that holds the words is found by them.
    func testTextThatLooksLikeFullTextSyntaxIsSearchedAsText() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let r = try await t.report(["channel": "citizen", "description": "NEAR AND NOT OR 路灯不亮 e\u{301}té ①② 🚧 x*y",
                                        "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(r.json["code"] as? String)
            try await t.app.indexSearchTerms()
            let dispatcher = try await t.token("dispatcher-dh")
            let finds = ["NOT 路灯", "路灯 OR", "near(路灯", "\"路灯\"", "路灯*", "^路灯", "and-not", "e\u{301}té", "①②", "🚧路灯"]
            let others = ["\"", "*", "NEAR(", "-", "\u{301}", "a\"b", "路灯 \"x"]
            for q in finds + others {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await t.api(.GET, "/api/v1/cases?q=\(encoded)", token: dispatcher)
                XCTAssertEqual(response.status, .ok, "\(q.debugDescription): \(response.body)")
                let codes = (try response.body.json()["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
                if finds.contains(q) { XCTAssertEqual(codes, [code], q.debugDescription) }
            }
        }
    }

    /// A county upgraded from term rows finds its old cases by every term, a page at a time; taken
    /// back, the term rows are made again from every case's text, the queued reports' too.
    func testTermRowsMoveIntoTheFullTextIndexAndBack() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }  // PostgreSQL keeps its term rows
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            let dispatcher = try await t.token("dispatcher-dh")
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            let addresses = ["桂花里", "玉兰苑", "石榴弄", "枇杷园"]
            for (i, text) in ["琥珀巷窨井缺盖", "琥珀巷窨井松动", "翡翠湾路灯不亮", "琥珀巷路灯闪烁 LAMP7"].enumerated() {
                let r = try await t.report(["channel": "citizen", "description": text, "address": addresses[i],
                                            "location": ["lat": spot.lat, "lon": spot.lon]])
                XCTAssertEqual(r.status, .created, "\(r.json)")
                codes.append(try XCTUnwrap(r.json["code"] as? String))
                if i == 2 { try await t.app.indexSearchTerms() }
            }
            func count(_ query: SQLQueryString) async throws -> Int {
                try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let queuedBefore = try await count("SELECT COUNT(*) AS n FROM search_term_queue")
            XCTAssertEqual(queuedBefore, 1, "the last report waits in the queue")

            let migration = IndexSearchTermsInFullText()
            try await migration.revert(on: t.app.db)
            let queuedAfter = try await count("SELECT COUNT(*) AS n FROM search_term_queue")
            XCTAssertEqual(queuedAfter, 0)
            let fullText = try await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'case_search_index'")
            XCTAssertEqual(fullText, 0)
            for (i, code) in codes.enumerated() {
                let row = try await sql.raw("SELECT description, address, id FROM cases WHERE code = \(bind: code)").first()
                let text = try XCTUnwrap(row?.decode(column: "description", as: String.self)) + " " + addresses[i]
                let id = try XCTUnwrap(row?.decode(column: "id", as: Int.self))
                let terms = try await sql.raw("SELECT term FROM case_search_terms WHERE case_id = \(bind: id)").all()
                    .map { try $0.decode(column: "term", as: String.self) }
                XCTAssertEqual(terms.sorted(), SearchTerms.terms(text).sorted(), code)
            }

            try await migration.prepare(on: t.app.db)
            let termRows = try await count("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'case_search_terms'")
            XCTAssertEqual(termRows, 0, "the term rows are dropped")
            func search(_ q: String) async throws -> [String] {
                var found: [String] = []
                var after: String?
                repeat {
                    let page = try await t.casePage("q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=1"
                                                    + (after.map { "&after=\($0)" } ?? ""), token: dispatcher)
                    found += page.codes
                    after = page.next
                } while after != nil && found.count < 10
                return found
            }
            let 窨井 = try await search("窨井")
            XCTAssertEqual(窨井, [codes[1], codes[0]])
            let 琥珀巷 = try await search("琥珀巷")
            XCTAssertEqual(琥珀巷, [codes[3], codes[1], codes[0]])
            let 路灯 = try await search("琥珀巷路灯")
            XCTAssertEqual(路灯, [codes[3]])
            let lamp = try await search("lamp7")
            XCTAssertEqual(lamp, [codes[3]])
            let address = try await search("石榴弄")
            XCTAssertEqual(address, [codes[2]])
            let none = try await search("窨井路灯")
            XCTAssertEqual(none, [])

            // New reports go on into the full-text index.
            let r = try await t.report(["channel": "citizen", "description": "琥珀巷窨井冒水", "location": ["lat": spot.lat, "lon": spot.lon]])
            let newest = try XCTUnwrap(r.json["code"] as? String)
            try await t.app.indexSearchTerms()
            let again = try await search("窨井")
            XCTAssertEqual(again, [newest, codes[1], codes[0]])
        }
    }
}
