@testable import WanggeWeb
import XCTest

/// Names go into pages and SVG through one escape; a user would see broken markup (or an injected
/// link) if any of the five characters slipped through, or mangled Chinese if bytes were split.
final class MarkupEscapeTests: XCTestCase {
    func testEscapesTheFiveCharactersAndKeepsEverythingElse() {
        XCTAssertEqual(GridMapSVG.escape("<a href='x'>\"城东\" & 网格</a>"),
                       "&lt;a href=&#39;x&#39;&gt;&quot;城东&quot; &amp; 网格&lt;/a&gt;")
        XCTAssertEqual(GridMapSVG.escape("城关镇第3网格 🏠"), "城关镇第3网格 🏠")
        XCTAssertEqual(GridMapSVG.escape(""), "")
        XCTAssertEqual(GridMapSVG.escape("&&"), "&amp;&amp;")
    }
}
