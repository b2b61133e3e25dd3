import Foundation
import XCTest
@testable import WanggePersistence

/// The digest that secrets are stored as (tokens, client keys, query codes) and the audit chain is built
/// from: FIPS 180-2's vectors, in lower-case hex.
final class SHA256HexTests: XCTestCase {
    func testDigestsAreTheStandardsInLowerCaseHex() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        XCTAssertEqual(SHA256Hex.of("abc"), abc)
        XCTAssertEqual(SHA256Hex.of(Data("abc".utf8)), abc)
        XCTAssertEqual(SHA256Hex.of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hex.of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256Hex.of("abc", after: "v2:0000000042:"), "v2:0000000042:" + abc)
        XCTAssertEqual(SHA256Hex.hex([0x00, 0xff, 0x10, 0x9a]), "00ff109a")
        XCTAssertEqual(SHA256Hex.hex([UInt8]()), "")
    }
}
