import Foundation
import XCTest

@testable import WanggeWeb

/// A case page reads the case as a plain row (`CaseView`); a transition answers from the `CaseModel` it
/// saved. Both must give the same JSON for the same case, field for field.
final class CaseViewTests: XCTestCase {
    func testTheCasePageEqualsTheAnswerOfTheLastTransition() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            let spot = try t.centre(of: "330110001001-01")
            // A citizen's report with the optional fields the page shows; the dispatcher sees the phone masked.
            let report = try await t.report(["channel": "citizen", "description": "小区门口井盖缺失,夜间有安全隐患", "categoryCode": "0101",
                                             "urgency": "urgent", "address": "临江市安澜区滨江路 12 号",
                                             "location": ["lat": spot.lat, "lon": spot.lon], "reporterName": "王女士",
                                             "reporterPhone": "13812345678"])
            XCTAssertEqual(report.status, .created, "\(report.json)")
            let code = try XCTUnwrap(report.json["code"] as? String)
            for (action, extra) in [("register", [String: Any]()), ("dispatch", ["departmentCode": "330110-CG"])] {
                let answered = try await t.act(code, action, token: dispatcher, extra)
                let page = try await t.caseJSON(code, token: dispatcher)
                XCTAssertEqual(NSDictionary(dictionary: page), NSDictionary(dictionary: answered), "[\(t.database)] after \(action)")
                XCTAssertEqual(page["reporterPhone"] as? String, "138****5678")
                XCTAssertEqual(page["address"] as? String, "临江市安澜区滨江路 12 号")
            }
            // The page counts the case's photos in the statement that reads it, and reads them only when
            // there are some: none so far, then one with a note.
            let timeline = { try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray() }
            let before = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual((before["attachments"] as? [Any])?.count, 0)
            let eventsBefore = try await timeline()
            XCTAssertTrue(eventsBefore.allSatisfy { ($0["attachmentIDs"] as? [Int]) == [] })
            let noted = try await t.multipart("/api/v1/cases/\(code)/transitions", token: dispatcher,
                                              fields: [("action", "note"), ("note", "现场照片补充")],
                                              files: [Upload(name: "photos[]", filename: "site.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(noted.status, .ok, "\(noted.json)")
            let page = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(NSDictionary(dictionary: page), NSDictionary(dictionary: noted.json), "[\(t.database)] after a note with a photo")
            XCTAssertEqual((page["attachments"] as? [Any])?.count, 1)
            let eventsAfter = try await timeline()
            let photoIDs = eventsAfter.compactMap { $0["attachmentIDs"] as? [Int] }.flatMap { $0 }
            XCTAssertEqual(photoIDs.count, 1, "the timeline shows the photo on its event")
            // The staff page, which skips reading photos when the case's count is nought, shows this one.
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            let (status, html, _) = try await t.get("/cases/\(code)", &browser)
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(html.contains("/cases/\(code)/photos/\(photoIDs[0])"), "[\(t.database)] the case page links its photo")

            // A transition reads the case's photo count and last event number with the case: a plain note
            // now answers with the photo read, and its event follows the last without a gap.
            let plain = try await t.act(code, "note", token: dispatcher, ["note": "已电话联系报告人"])
            let latest = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(NSDictionary(dictionary: latest), NSDictionary(dictionary: plain), "[\(t.database)] after a note without a photo")
            XCTAssertEqual((plain["attachments"] as? [Any])?.count, 1)
            let numbers = try await timeline().compactMap { $0["seq"] as? Int }
            XCTAssertEqual(numbers, Array(1...(eventsAfter.count + 1)), "[\(t.database)] each event numbered after the one before")
        }
    }
}
