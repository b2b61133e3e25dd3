import FluentKit
import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
import WanggePersistence
import XCTest
import XCTVapor

@testable import WanggeWeb

/// The hot reads on SQLite bypass the pool (`SQLiteDirectReader`); they must read exactly what the
/// pool reads, see every commit at once, never write, and compile each statement once.
final class SQLiteDirectReaderTests: XCTestCase {
    func testDirectReadsMatchThePoolSeeEachCommitAndKeepTheirStatements() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            let spot = try t.centre(of: "330110001001-01")
            let report = try await t.report(["channel": "citizen", "description": "路灯不亮,晚上看不清路", "categoryCode": "0101",
                                             "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(report.json["code"] as? String)
            let db = t.app.db

            // The same case through the pool and directly: every column decodes alike.
            let pooledRead = try await PlainReads.first(CaseModel.self, where: "code", equals: code, on: db)
            let directRead = try await SQLiteDirectReader.$current.withValue(reader) {
                try await PlainReads.first(CaseModel.self, where: "code", equals: code, on: db)
            }
            let pooled = try XCTUnwrap(pooledRead), direct = try XCTUnwrap(directRead)
            XCTAssertEqual(direct.id, pooled.id)
            XCTAssertEqual(direct.createdAt, pooled.createdAt)
            XCTAssertEqual(direct.anonymous, pooled.anonymous)
            XCTAssertEqual(direct.lat, pooled.lat)
            XCTAssertEqual(direct.reporterPhone, pooled.reporterPhone)
            XCTAssertEqual(try direct.snapshot, try pooled.snapshot)
            XCTAssertEqual(direct.deadlinesJSON, pooled.deadlinesJSON)
            // And every column at once: the model encoded whole (strings, optionals, dates, booleans).
            let whole = JSONEncoder()
            whole.outputFormatting = .sortedKeys
            XCTAssertEqual(String(decoding: try whole.encode(direct), as: UTF8.self), String(decoding: try whole.encode(pooled), as: UTF8.self))
            let before = reader.compilations
            var afterFirstRound = before, afterRounds = before

            try await SQLiteDirectReader.$current.withValue(reader) {
                // A commit through the pool shows on the next direct read of a kept statement.
                for round in 1...5 {
                    let name = "井盖问题\(round)"
                    try await (db as! any SQLDatabase).update(CategoryModel.schema).set("name", to: name).where("code", .equal, "0101").run()
                    let read = try await PlainReads.first(CategoryModel.self, where: "code", equals: "0101", on: db)
                    XCTAssertEqual(read?.name, name, "round \(round) reads the committed name")
                    // Other bound values through the same statement.
                    let other = try await PlainReads.first(CategoryModel.self, where: "code", equals: "0201", on: db)
                    XCTAssertEqual(other?.code, "0201")
                    // A case page's reads: the case and its photos.
                    let caseRead = try await PlainReads.first(CaseModel.self, where: "code", equals: round % 2 == 0 ? code : "none", on: db)
                    XCTAssertEqual(caseRead?.code, round % 2 == 0 ? code : nil)
                    let photos = try await PlainReads.all(AttachmentModel.self, where: "case_id", equals: round, orderedBy: "id", on: db)
                    XCTAssertEqual(photos.count, 0)
                    if round == 1 { afterFirstRound = reader.compilations }
                }
                afterRounds = reader.compilations
                // Inside a write transaction reads go to the transaction and see its own rows.
                do {
                    try await db.transaction { tx in
                        try await (tx as! any SQLDatabase).update(CategoryModel.schema).set("name", to: "未提交").where("code", .equal, "0101").run()
                        let inside = try await PlainReads.first(CategoryModel.self, where: "code", equals: "0101", on: tx)
                        XCTAssertEqual(inside?.name, "未提交")
                        throw CancellationError()
                    }
                } catch is CancellationError {}
                let afterRollback = try await PlainReads.first(CategoryModel.self, where: "code", equals: "0101", on: db)
                XCTAssertEqual(afterRollback?.name, "井盖问题5", "a rolled-back name is never read")
            }

            // The direct connections cannot write.
            XCTAssertThrowsError(try reader.rows("UPDATE categories SET name = 'x' WHERE code = '0101'", []))
            let name = try await PlainReads.first(CategoryModel.self, where: "code", equals: "0101", on: db)?.name
            XCTAssertEqual(name, "井盖问题5")

            // Five rounds of three statements with changing values compiled each statement once: the
            // category's and the photos' in the first round (the case's was compiled above), none after it.
            let after = reader.compilations
            XCTAssertEqual(afterFirstRound.prepared - before.prepared, 2, "the reads went through the direct reader")
            XCTAssertEqual(afterRounds.prepared, afterFirstRound.prepared, "later rounds read on kept statements")
            XCTAssertEqual(after.recompiled, 0, "bound values never make SQLite compile a kept statement again")
        }
    }

    /// Strings, integers, doubles, dates and booleans, plain or optional, are read by a shortcut (found by
    /// the type's identity); every value of every kind must read as SQLiteKit's decoder reads it, and fail
    /// where it fails.
    func testCommonColumnTypesReadAsSQLiteKitReadsThem() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            let values: [SQLiteData] = [.text("网格"), .text(""), .text("12"), .text("true"), .text("2026-11-23T08:00:00Z"),
                                        .text("2026-11-23 08:00:00"), .integer(0), .integer(1), .integer(-7), .integer(817_822_636),
                                        .float(2.5), .float(817_822_636.830_259_4), .null]
            var compared = 0
            for value in values {
                let row = try XCTUnwrap(reader.rows("SELECT ?1 AS v", [value]).first)
                func same<T: Decodable & Equatable>(_ type: T.Type) {
                    let expected = Result { try SQLiteDataDecoder().decode(T.self, from: value) }
                    let read = Result { try row.decode(column: "v", as: T.self) }
                    switch (expected, read) {
                    case let (.success(a), .success(b)): XCTAssertEqual(a, b, "\(value) as \(T.self)")
                    case (.failure, .failure): break
                    default: XCTFail("\(value) as \(T.self): SQLiteKit \(expected), direct \(read)")
                    }
                    compared += 1
                }
                same(String.self); same(String?.self); same(Int.self); same(Int?.self); same(Double.self); same(Double?.self)
                same(Date.self); same(Date?.self); same(Bool.self); same(Bool?.self)
                // Types without a shortcut still take the general path.
                same(Int64.self); same(Int32?.self); same(Float.self)
            }
            XCTAssertEqual(compared, values.count * 13)
            // A null read as a plain type is an error, not a default.
            let null = try XCTUnwrap(reader.rows("SELECT NULL AS v", []).first)
            XCTAssertThrowsError(try null.decode(column: "v", as: String.self))
            XCTAssertThrowsError(try null.decode(column: "v", as: Int.self))
            XCTAssertNil(try null.decode(column: "v", as: Date?.self))
        }
    }

    /// A column is found by its name among others of the same length, a repeated name reads its first column (as
    /// SQLiteKit's rows read it), and a name not in the row is an error, as it was when names were looked up in a
    /// dictionary.
    func testColumnsAreFoundByNameAmongNamesOfTheSameLength() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            let query = "SELECT 1 AS lat, 2 AS lon, 'a' AS grid_code, 'b' AS code, 3 AS lat, '网格' AS 网格, 'c' AS due_at"
            let row = try XCTUnwrap(reader.rows(query, []).first)
            let pooled = try await (t.app.db as! any SQLDatabase).raw(SQLQueryString(query)).first()
            for (column, expected) in [("lat", "1"), ("lon", "2"), ("grid_code", "a"), ("code", "b"), ("网格", "网格"), ("due_at", "c")] {
                XCTAssertEqual(try row.decode(column: column, as: String.self), expected, column)
                XCTAssertEqual(try pooled?.decode(column: column, as: String.self), expected, "SQLiteKit: \(column)")
                XCTAssertTrue(row.contains(column: column))
            }
            XCTAssertFalse(row.contains(column: "la"))
            XCTAssertFalse(row.contains(column: "lot"))
            XCTAssertThrowsError(try row.decode(column: "yellow_at", as: String.self))
            XCTAssertTrue(try row.decodeNil(column: "blue_at"), "a column not in the row reads as null")
        }
    }

    /// A read made by position straight from SQLite's statement converts every column as the pool's rows read by name
    /// convert it: text, real and null as stored, and the other kinds (a number read as text, a whole number or a text
    /// as a date) through SQLiteNIO's conversions; a null or a blob where text is wanted is an error on both paths.
    func testRowsReadByPositionConvertAsThePoolsRowsByName() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            let db = t.app.db
            let columns = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
            let statement = SQLRaw("""
                SELECT '路灯' AS a, NULL AS b, 30.25 AS c, 120 AS d, 1764979200.5 AS e, 1764979200 AS f,                 '2025-12-06 00:00:00' AS g, 42 AS h, NULL AS i, NULL AS j
                """)
            let pooled = try await PlainReads.decoded(statement, columns: columns, as: Sample.self, on: db)
            let direct = try await SQLiteDirectReader.$current.withValue(reader) {
                try await PlainReads.decoded(statement, columns: columns, as: Sample.self, on: db)
            }
            XCTAssertEqual(direct, pooled)
            XCTAssertEqual(direct, [Sample(text: "路灯", null: nil, real: 30.25, whole: 120, seconds: Date(timeIntervalSince1970: 1764979200.5),
                                          wholeSeconds: Date(timeIntervalSince1970: 1764979200), dateText: Date(timeIntervalSince1970: 1764979200),
                                          numberAsText: "42", nullDate: nil, nullDouble: nil, count: 10)])
            for bad in ["SELECT NULL AS a", "SELECT x'00ff' AS a"] {
                do {
                    _ = try await SQLiteDirectReader.$current.withValue(reader) {
                        try await PlainReads.decoded(SQLRaw(bad), columns: ["a"], as: OneText.self, on: db)
                    }
                    XCTFail("\(bad) read as text directly")
                } catch is DecodingError {}
                do {
                    _ = try await PlainReads.decoded(SQLRaw(bad), columns: ["a"], as: OneText.self, on: db)
                    XCTFail("\(bad) read as text through the pool")
                } catch is DecodingError {}
            }
        }
    }

    private struct Sample: PositionallyDecodable, Equatable {
        var text: String, null: String?, real: Double?, whole: Double?, seconds: Date?, wholeSeconds: Date?, dateText: Date?
        var numberAsText: String, nullDate: Date?, nullDouble: Double?, count: Int

        init(text: String, null: String?, real: Double?, whole: Double?, seconds: Date?, wholeSeconds: Date?, dateText: Date?,
             numberAsText: String, nullDate: Date?, nullDouble: Double?, count: Int) {
            (self.text, self.null, self.real, self.whole, self.seconds, self.wholeSeconds, self.dateText) =
                (text, null, real, whole, seconds, wholeSeconds, dateText)
            (self.numberAsText, self.nullDate, self.nullDouble, self.count) = (numberAsText, nullDate, nullDouble, count)
        }

        init<Row: PositionalRow>(positions row: Row) throws {
            text = try row.string(0)
            (null, real, whole) = (try row.optionalString(1), try row.optionalDouble(2), try row.optionalDouble(3))
            (seconds, wholeSeconds, dateText) = (try row.optionalDate(4), try row.optionalDate(5), try row.optionalDate(6))
            (numberAsText, nullDate, nullDouble, count) = (try row.string(7), try row.optionalDate(8), try row.optionalDouble(9), row.count)
        }
    }

    private struct OneText: PositionallyDecodable {
        var text: String
        init<Row: PositionalRow>(positions row: Row) throws { text = try row.string(0) }
    }
}
