import Foundation
@testable import WanggeWeb
import XCTest

/// Session, bearer and CSRF secrets: URL-safe (they travel in cookies and headers), unpadded, and
/// exactly what RFC 4648's URL-safe base64 gives for the same bytes.
final class TokensTests: XCTestCase {
    func testBase64URLMatchesFoundationForEveryLengthModuloThree() {
        for length in 0...40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(Tokens.base64URL(bytes), expected, "length \(length)")
        }
    }

    func testRandomTokensAreLongUrlSafeAndDifferent() {
        let tokens = (0..<200).map { _ in Tokens.random() }
        XCTAssertEqual(Set(tokens).count, tokens.count)
        for token in tokens {
            XCTAssertEqual(token.count, 43)
            XCTAssertTrue(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, token)
        }
    }

    func testAMaskedTokenUnmasksToItselfAndNoTwoMasksAreAlike() {
        let token = Tokens.random()
        let masks = (0..<100).map { _ in Tokens.masked(token) }
        XCTAssertEqual(Set(masks).count, masks.count)
        for mask in masks {
            XCTAssertEqual(Tokens.unmasked(mask), token)
            XCTAssertEqual(mask.count, 115, "86 bytes in URL-safe base64")
            XCTAssertTrue(mask.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, mask)
        }
        XCTAssertNotEqual(Tokens.unmasked(token), token, "the bare token is not a mask of itself")
        for garbage in ["", "forged", "%%%", String(masks[0].dropLast())] {
            XCTAssertNotEqual(Tokens.unmasked(garbage), token, garbage)
        }
    }
}
