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
}
