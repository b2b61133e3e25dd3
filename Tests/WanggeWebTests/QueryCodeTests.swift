import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// Query codes carry their case's id under the installation's key (`QueryCodeCipher`), so that what is
/// stored of them goes in id order; the codes drawn at random before still open their cases.
final class QueryCodeTests: XCTestCase {
    func testAReportsQueryCodeCarriesItsIdAndOpensItsCaseAlone() async throws {
        try await withApp { t in
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            var stored: [(id: Int, hash: String)] = []
            var codes: [String] = []
            for text in ["小区门口路灯不亮,晚上看不清路", "菜市场门口污水外溢,气味很大", "楼道里堆满杂物,存在消防隐患"] {
                let report = try await t.report(["channel": "citizen", "description": text])
                XCTAssertEqual(report.status, .created, "[\(t.database)] \(report.json)")
                let (code, queryCode) = (try XCTUnwrap(report.json["code"] as? String), try XCTUnwrap(report.json["queryCode"] as? String))
                XCTAssertEqual(QueryCode.normalise(queryCode), queryCode, "ten characters of the usual alphabet")
                let row = try await sql.raw("SELECT id, query_code_hash FROM cases WHERE code = \(bind: code)").first()
                let (id, hash) = (try XCTUnwrap(row?.decode(column: "id", as: Int.self)), try XCTUnwrap(row?.decode(column: "query_code_hash", as: String.self)))
                XCTAssertEqual(hash, "v2:" + String(format: "%010d", id) + ":" + SHA256Hex.of(queryCode), "[\(t.database)] its hash, after its id")
                XCTAssertFalse(hash.contains(queryCode), "never the code itself")
                stored.append((id, hash))
                codes.append(queryCode)

                // Typed as a reporter might; and one character off opens nothing.
                let spaced = queryCode.prefix(5).lowercased() + " - " + queryCode.dropFirst(5)
                let tracked = try await t.track(String(spaced).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)
                XCTAssertEqual(tracked.status, .ok, "[\(t.database)] \(tracked.json)")
                XCTAssertEqual(tracked.json["code"] as? String, code)
                let last = queryCode.last!, other = QueryCode.alphabet.first { $0 != last }!
                let wrong = try await t.track(String(queryCode.dropLast()) + String(other))
                XCTAssertEqual(wrong.status, .notFound, "[\(t.database)] \(wrong.json)")
            }
            XCTAssertEqual(Set(codes).count, codes.count)
            XCTAssertEqual(stored.sorted { $0.id < $1.id }.map(\.hash), stored.map(\.hash).sorted(), "stored in id order")
            let cipher = try await QueryCodeKey.cipher(on: t.app.db)
            XCTAssertEqual(codes.map { cipher.caseID(of: $0) }, stored.map(\.id))
        }
    }

    /// A case whose code was drawn at random, before the key (stored as the code's plain hash), is still
    /// followed and rated with it.
    func testACodeDrawnBeforeTheKeyStillOpensItsCase() async throws {
        try await withApp { t in
            let report = try await t.report(["channel": "citizen", "description": "公园健身器材损坏,有安全隐患"])
            let code = try XCTUnwrap(report.json["code"] as? String)
            let older = "K7WPQ2M9XD"
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE cases SET query_code_hash = \(bind: QueryCodeHash.hash(older)) WHERE code = \(bind: code)").run()
            let tracked = try await t.track(older.lowercased())
            XCTAssertEqual(tracked.status, .ok, "[\(t.database)] \(tracked.json)")
            XCTAssertEqual(tracked.json["code"] as? String, code)
            let issued = try XCTUnwrap(report.json["queryCode"] as? String)
            let gone = try await t.track(issued)
            XCTAssertEqual(gone.status, .notFound, "[\(t.database)] the code it had is no longer its own")
        }
    }

    /// The key is drawn once by the migrations and kept; without it intake and tracking say so instead of failing.
    func testTheKeyIsDrawnOnceAndItsAbsenceIsAClearError() async throws {
        try await withApp { t in
            let settings = SettingsService(db: t.app.db)
            let kept = try await settings.get(QueryCodeKey.setting, as: String.self)
            let key = try XCTUnwrap(kept)
            XCTAssertEqual(key.count, 32)
            XCTAssertEqual(QueryCodeKey.bytes(key).count, 16)
            try await CreateQueryCodeKey().prepare(on: t.app.db)
            let again = try await settings.get(QueryCodeKey.setting, as: String.self)
            XCTAssertEqual(again, key, "a second run keeps the key that codes were issued under")

            try await settings.remove(QueryCodeKey.setting)
            let before = try await CaseModel.query(on: t.app.db).count()
            let report = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮,晚上看不清路"])
            XCTAssertEqual(report.status, .serviceUnavailable, "[\(t.database)] \(report.json)")
            XCTAssertEqual((report.json["error"] as? [String: Any])?["code"] as? String, "setup.query_code_key")
            let after = try await CaseModel.query(on: t.app.db).count()
            XCTAssertEqual(after, before, "nothing written")
        }
    }
}
