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
