import XCTest
@testable import WanggeDomain

final class QueryCodeCipherTests: XCTestCase {
    private let key: [UInt8] = Array(0..<16)

    /// The reference implementation's vectors (the SipHash paper's appendix and its `vectors.h`).
    func testSipHashGivesTheReferenceValues() throws {
        let sip = try XCTUnwrap(SipHash24(key: key))
        XCTAssertEqual(sip.hash([UInt8]()), 0x726f_db47_dd0e_0e31)
        XCTAssertEqual(sip.hash(Array(0..<15)), 0xa129_ca61_49be_45e5)
        XCTAssertEqual(sip.hash(Array(0..<8)), 0x93f5_f579_9a93_2462)
        XCTAssertEqual(sip.hash(0x0706_0504_0302_0100), sip.hash(Array(0..<8)), "a word is its eight bytes little-endian")
        XCTAssertNil(SipHash24(key: Array(0..<15)))
    }

    func testEveryIssuedCodeLeadsBackToItsCase() throws {
        let cipher = try XCTUnwrap(QueryCodeCipher(key: key))
        var random = SplitMix64(seed: 7)
        for id in [1, 2, 3, 999, 1_000_000, 12_345_678, Int(QueryCodeCipher.idLimit) - 1] + (0..<2_000).map({ _ in Int.random(in: 1..<1 << 27) }) {
            let code = try XCTUnwrap(cipher.issue(caseID: id, using: &random))
            XCTAssertEqual(QueryCode.normalise(code), code, "a code of the usual alphabet and length")
            XCTAssertEqual(cipher.caseID(of: code), id)
        }
    }

    func testTheCipherIsAPermutationOfTheCodes() throws {
        let cipher = try XCTUnwrap(QueryCodeCipher(key: key))
        var random = SplitMix64(seed: 11)
        for number in [0, 1, QueryCode.codeCount - 1] + (0..<5_000).map({ _ in UInt64.random(in: 0..<QueryCode.codeCount, using: &random) }) {
            let enciphered = cipher.encipher(number)
            XCTAssertLessThan(enciphered, QueryCode.codeCount)
            XCTAssertEqual(cipher.decipher(enciphered), number)
        }
    }

    /// Neighbouring cases' codes share no more than chance would: a reporter cannot read a neighbour's
    /// code off their own, nor tell how many cases came between.
    func testNeighbouringCasesCodesLookUnrelated() throws {
        let cipher = try XCTUnwrap(QueryCodeCipher(key: key))
        var random = SplitMix64(seed: 3)
        var samePlaces = 0
        var previous = try XCTUnwrap(cipher.issue(caseID: 100_000, using: &random))
        for id in 100_001...102_000 {
            let code = try XCTUnwrap(cipher.issue(caseID: id, using: &random))
            samePlaces += zip(code, previous).filter { $0 == $1 }.count
            previous = code
        }
        // 2,000 pairs of 10 places: 645 alike by chance (1 in 31); a code in id order would share most.
        XCTAssertLessThan(samePlaces, 800)
        // The same case twice: two different codes (its random part), both its own.
        let first = try XCTUnwrap(cipher.issue(caseID: 42, using: &random)), second = try XCTUnwrap(cipher.issue(caseID: 42, using: &random))
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(cipher.caseID(of: second), 42)
    }

    func testAnotherKeyOpensNothingAndIdsPastTheLimitGetNoCode() throws {
        let cipher = try XCTUnwrap(QueryCodeCipher(key: key)), other = try XCTUnwrap(QueryCodeCipher(key: Array(repeating: 9, count: 16)))
        var random = SplitMix64(seed: 5)
        var opened = 0
        for id in 1...500 {
            let code = try XCTUnwrap(cipher.issue(caseID: id, using: &random))
            if other.caseID(of: code) == id { opened += 1 }
        }
        XCTAssertEqual(opened, 0)
        XCTAssertNil(cipher.issue(caseID: Int(QueryCodeCipher.idLimit), using: &random))
        XCTAssertNil(cipher.issue(caseID: 0, using: &random))
        XCTAssertNil(cipher.caseID(of: "not a code"))
        XCTAssertNil(QueryCodeCipher(key: [1, 2, 3]))
        XCTAssertEqual(QueryCode.number(of: "2222222222"), 0)
        XCTAssertEqual(QueryCode.text(of: QueryCode.codeCount - 1), "ZZZZZZZZZZ")
    }
}

final class QueryCodeNormaliseTests: XCTestCase {
    /// The byte-by-byte reading of ASCII text agrees with the reading character by character, on every
    /// ASCII byte in every position, and text beyond ASCII is read character by character.
    func testTheASCIIReadingAgreesWithTheCharacterReading() {
        var random = SplitMix64(seed: 21)
        let likely = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz -\t\n\r".utf8)
        for round in 0..<20_000 {
            let count = Int.random(in: 0...14, using: &random)
            let bytes = (0..<count).map { _ in
                round % 4 == 0 ? UInt8.random(in: 0..<128, using: &random) : likely[Int.random(in: 0..<likely.count, using: &random)]
            }
            let raw = String(decoding: bytes, as: UTF8.self)
            let ascii = QueryCode.normaliseASCII(raw)
            XCTAssertNotNil(ascii, raw)
            XCTAssertEqual(ascii.flatMap { $0.isEmpty ? nil : $0 }, QueryCode.normaliseCharacters(raw), raw.debugDescription)
        }
        XCTAssertNil(QueryCode.normaliseASCII("ABCDE\u{3000}FGH23"))
        XCTAssertEqual(QueryCode.normalise("abcde\u{3000}fgh23"), "ABCDEFGH23", "a full-width space, as a phone may type it")
        XCTAssertEqual(QueryCode.normalise("ab\r\ncdefgh23"), "ABCDEFGH23")
    }
}
