import XCTest
@testable import WanggeDomain

final class UserFilterTests: XCTestCase {
    /// A form sends the filters it did not use as empty values: they ask for nothing.
    func testEmptyAndBlankValuesAskForNothing() throws {
        let filter = try UserFilter.parse(role: "", unit: " ", text: "  ", after: "", limit: nil)
        XCTAssertEqual(filter, UserFilter())
        XCTAssertEqual(filter.limit, 50)
        XCTAssertNil(filter.likePattern)
    }

    func testValuesAreTrimmedAndKept() throws {
        let filter = try UserFilter.parse(role: "grid_worker", unit: " 330110001 ", text: " 张 ", after: "grid10", limit: "200")
        XCTAssertEqual(filter, UserFilter(role: .gridWorker, unitCode: "330110001", text: "张", after: "grid10", limit: 200))
    }

    func testBadValuesAreRefusedWithTheFieldAndAChineseMessage() {
        let bad: [(role: String?, unit: String?, text: String?, limit: String?, code: String, field: String)] = [
            ("mayor", nil, nil, nil, "user.role", "role"),
            (nil, "33011", nil, nil, "users.unit", "within"),
            (nil, "杭州西湖", nil, nil, "users.unit", "within"),
            (nil, nil, String(repeating: "长", count: 51), nil, "users.text", "q"),
            (nil, nil, "a\u{0}b", nil, "users.text", "q"),
            (nil, nil, nil, "0", "page.limit", "limit"),
            (nil, nil, nil, "201", "page.limit", "limit"),
            (nil, nil, nil, "ten", "page.limit", "limit"),
        ]
        for b in bad {
            XCTAssertThrowsError(try UserFilter.parse(role: b.role, unit: b.unit, text: b.text, after: nil, limit: b.limit), b.code) { error in
                let appError = error as? AppError
                XCTAssertEqual(appError?.code, b.code)
                XCTAssertEqual(appError?.field, b.field)
                XCTAssertEqual(appError?.kind, .badRequest)
                XCTAssertFalse(appError?.message(english: false).isEmpty ?? true)
            }
        }
        XCTAssertNoThrow(try UserFilter.parse(role: nil, unit: nil, text: String(repeating: "长", count: 50), after: nil, limit: "1"))
    }

    /// The pattern matches the text anywhere, in lower case; LIKE's own wildcards in it stand for themselves.
    func testTheSearchPatternEscapesLikesWildcards() {
        XCTAssertEqual(UserFilter(text: "Grid").likePattern, "%grid%")
        XCTAssertEqual(UserFilter(text: "50%").likePattern, "%50\\%%")
        XCTAssertEqual(UserFilter(text: "a_b\\c").likePattern, "%a\\_b\\\\c%")
        XCTAssertEqual(UserFilter(text: "网格员").likePattern, "%网格员%")
    }
}
