import Vapor
import XCTest
@testable import WanggeWeb

/// A plain query is read as Vapor's own decoder reads it; anything else is left to that decoder.
final class QueryParametersTests: XCTestCase {
    func testAPlainQueryIsReadAsVaporReadsIt() throws {
        let plain = ["status=archived&limit=20", "q=%E5%8F%8D%E6%98%A0+%E8%B7%AF%E7%81%AF", "q=a%2Bb+c", "a=b=c", "a=&b=2", "&&a=1&",
                     "q=%20%20x", "within=330110001&after=123&warning=red", "from=2026-12-01T00%3A00%3A00%2B08%3A00"]
        for query in plain {
            let ours = try XCTUnwrap(QueryParameters.plain(query), query)
            XCTAssertEqual(ours, try URLEncodedFormDecoder().decode([String: String].self, from: query), query)
        }
        XCTAssertEqual(QueryParameters.plain("q=a%2Bb+c")?["q"], "a+b c")
        XCTAssertEqual(QueryParameters.plain("a=b=c")?["a"], "b=c")
        // Not plain: a key twice, brackets, a pair without "=", no key, a broken escape.
        for query in ["a=1&a=2", "a[]=1", "a[b]=1", "x", "x&a=1", "=v", "a=%ZZ", "%ZZ=1"] {
            XCTAssertNil(QueryParameters.plain(query), query)
        }
    }
}
