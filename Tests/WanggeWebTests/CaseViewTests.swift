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
        }
    }
}
