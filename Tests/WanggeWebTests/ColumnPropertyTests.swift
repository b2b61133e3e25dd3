import FluentKit
import SQLKit
import Vapor
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// The case's columns are `@Column`s, not Fluent's `@Field`s: to Fluent's queries, saves and decoding they
/// must be what Fluent's own were, on both databases.
final class ColumnPropertyTests: XCTestCase {
    func testColumnsFilterSaveOnlyWhatChangedAndReadNullsAsFluentsFieldsDid() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for (text, category) in [("湖滨路口井盖缺失,夜里很危险", "0101"), ("小区门口路灯不亮已经一周", nil)] as [(String, String?)] {
                var body: [String: Any] = ["channel": "citizen", "description": text, "location": ["lat": spot.lat, "lon": spot.lon],
                                           "address": "湖滨路 12 号"]
                body["categoryCode"] = category
                let reported = try await t.report(body)
                codes.append(try XCTUnwrap(reported.json["code"] as? String, "\(reported.json)"))
            }
            let db = t.app.db
            // Filters on a text column, a nullable one's value and its NULL, and a sort.
            let found = try await CaseModel.query(on: db).filter(\.$code == codes[0]).first()
            let model = try XCTUnwrap(found)
            XCTAssertEqual(model.categoryCode, "0101")
            let uncategorised = try await CaseModel.query(on: db).filter(\.$categoryCode == nil).filter(\.$code ~~ codes).all().map(\.code)
            XCTAssertEqual(uncategorised, [codes[1]])
            let sorted = try await CaseModel.query(on: db).filter(\.$code ~~ codes).sort(\.$description, .ascending).all().map(\.code)
            XCTAssertEqual(sorted, [codes[1], codes[0]], "小 (U+5C0F) before 湖 (U+6E56)")

            // A decoded case has no changes; one set column is all a save writes, and NULL goes in as NULL.
            XCTAssertFalse(model.hasChanges)
            model.address = nil
            model.urgency = "urgent"
            XCTAssertTrue(model.hasChanges)
            let sql = try XCTUnwrap(db as? any SQLDatabase)
            try await sql.raw("UPDATE cases SET description = 'changed beside the model' WHERE code = \(bind: codes[0])").run()
            try await model.update(on: db)
            XCTAssertFalse(model.hasChanges, "saved: nothing left to write")
            let row = try await sql.raw("SELECT address, urgency, description FROM cases WHERE code = \(bind: codes[0])").first()
            XCTAssertNil(try row?.decode(column: "address", as: String?.self))
            XCTAssertEqual(try row?.decode(column: "urgency", as: String.self), "urgent")
            XCTAssertEqual(try row?.decode(column: "description", as: String.self), "changed beside the model", "a column not set is not written")

            // Read back: the NULL is nil, the rest as stored; a model set whole and created reads back the same.
            let again = try await CaseModel.query(on: db).filter(\.$code == codes[0]).first()
            XCTAssertNil(try XCTUnwrap(again).address)
            XCTAssertEqual(again?.urgency, "urgent")
            XCTAssertEqual(again?.lat, model.lat)
            XCTAssertEqual(again?.createdAt.timeIntervalSince1970 ?? 0, model.createdAt.timeIntervalSince1970, accuracy: 0.001)
            let unset = CaseModel()
            XCTAssertNil(unset.$code.value, "never set nor read")
            XCTAssertNil(unset.address, "an optional column never set reads as nil, as Fluent's @OptionalField did")
            XCTAssertEqual(unset.properties.count, 51)
        }
    }
}
