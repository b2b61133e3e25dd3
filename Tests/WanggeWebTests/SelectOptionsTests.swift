import XCTest
@testable import WanggeWeb

/// The long choices (a county's grids) are written once and the case's own chosen in each page: exactly the option of
/// that value, wherever it stands, and nothing else of the text changed.
final class SelectOptionsTests: XCTestCase {
    func testSelectingChoosesExactlyTheOptionOfTheValue() {
        let options: [(value: String, label: String, selected: Bool)] = [
            ("330110001001-0", "短码", false), ("330110001001-01", "一网格(330110001001-01)", false),
            ("A&B \"x\"", "转义 <b>", false), ("330110001001-02", "二网格", false),
        ]
        let html = SelectOptions.html(options)
        for (index, option) in options.enumerated() {
            var expected = options
            expected[index].selected = true
            XCTAssertEqual(SelectOptions.selecting(option.value, in: html), SelectOptions.html(expected), option.value)
        }
        XCTAssertEqual(SelectOptions.selecting("330110001001-03", in: html), html, "no such option: nothing chosen")
        XCTAssertEqual(SelectOptions.selecting("", in: html), html)
        XCTAssertEqual(SelectOptions.selecting("x", in: ""), "")
        // Long text, the option at its very end.
        let many = (0..<1000).map { (value: "330110\(1000 + $0)", label: "网格 \($0)", selected: false) }
        var last = many
        last[999].selected = true
        XCTAssertEqual(SelectOptions.selecting("3301101999", in: SelectOptions.html(many)), SelectOptions.html(last))
    }

    /// A form sent back or a filter as asked: the option of the value chosen, none for no value or an unknown one.
    func testOptionsWithTheOneOfAValueSelected() {
        let roles = [PageOption(value: "dispatcher", label: "调度员"), PageOption(value: "grid_worker", label: "网格员 <一>")]
        XCTAssertEqual(SelectOptions.html(roles, selecting: "grid_worker"),
                       "<option value=\"dispatcher\">调度员</option><option value=\"grid_worker\" selected>网格员 &lt;一&gt;</option>")
        let none = "<option value=\"dispatcher\">调度员</option><option value=\"grid_worker\">网格员 &lt;一&gt;</option>"
        XCTAssertEqual(SelectOptions.html(roles, selecting: nil), none)
        XCTAssertEqual(SelectOptions.html(roles, selecting: ""), none)
        XCTAssertEqual(SelectOptions.html(roles, selecting: "leader"), none)
    }
}
