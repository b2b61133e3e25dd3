import Foundation
@testable import WanggeWeb
import XCTest

/// Names go into pages and SVG through one escape; a user would see broken markup (or an injected
/// link) if any of the five characters slipped through, or mangled Chinese if bytes were split.
final class MarkupEscapeTests: XCTestCase {
    func testEscapesTheFiveCharactersAndKeepsEverythingElse() {
        XCTAssertEqual(Markup.escape("<a href='x'>\"城东\" & 网格</a>"),
                       "&lt;a href=&#39;x&#39;&gt;&quot;城东&quot; &amp; 网格&lt;/a&gt;")
        XCTAssertEqual(Markup.escape("城关镇第3网格 🏠"), "城关镇第3网格 🏠")
        XCTAssertEqual(Markup.escape(""), "")
        XCTAssertEqual(Markup.escape("&&"), "&amp;&amp;")
        // Each printable ASCII character alone, first, last and among Chinese: the five as entities, the rest as they are.
        let entities: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]
        for scalar in (0x20...0x7E).compactMap(Unicode.Scalar.init) {
            let c = Character(scalar), e = entities[c] ?? String(c)
            XCTAssertEqual(Markup.escape(String(c)), e)
            XCTAssertEqual(Markup.escape("\(c)网格"), e + "网格")
            XCTAssertEqual(Markup.escape("网格\(c)"), "网格" + e)
            XCTAssertEqual(Markup.escape("城\(c)东\(c)"), "城\(e)东\(e)")
        }
        XCTAssertEqual(Markup.escape(String(NSString(string: "城东<网格>"))), "城东&lt;网格&gt;", "a string from Foundation")
    }

    func testRankingRowsShowNamesAsTextAndLinkTheirUnits() {
        let rows = AssessmentPagesController.rows([
            .init(position: 1, name: "湖滨<b>社区", href: "/assessment?area=330110001001&level=grid", value: "98.5%", volume: 40,
                  received: 41, closed: 39, overdue: 2),
            .init(position: 2, name: "王 & 李", href: nil, value: "—", volume: 0, received: 0, closed: 0, overdue: 0),
        ])
        XCTAssertEqual(rows, "<tr><td class=\"num\">1</td><td><a href=\"/assessment?area=330110001001&amp;level=grid\">湖滨&lt;b&gt;社区</a></td>"
            + "<td class=\"num\">98.5%</td><td class=\"num\">40</td><td class=\"num\">41</td><td class=\"num\">39</td><td class=\"num\">2</td></tr>"
            + "<tr><td class=\"num\">2</td><td>王 &amp; 李</td><td class=\"num\">—</td><td class=\"num\">0</td><td class=\"num\">0</td>"
            + "<td class=\"num\">0</td><td class=\"num\">0</td></tr>")
    }
}
