import Foundation
@testable import WanggeDomain
import XCTest

/// The API's encoder must write what Foundation's `JSONEncoder` (with the settings the API used
/// before) writes, as a client reads it: the same values under the same keys.
final class StreamingJSONEncoderTests: XCTestCase {
    private typealias Tree = JSONSamples.Tree

    /// Writes through nested containers and a single-value container by hand, the way custom
    /// `encode(to:)` code does.
    private struct Custom: Encodable {
        enum Keys: String, CodingKey { case outer, list, inner, value }
        let numbers: [Int]
        func encode(to encoder: any Encoder) throws {
            var top = encoder.container(keyedBy: Keys.self)
            var outer = top.nestedContainer(keyedBy: Keys.self, forKey: .outer)
            try outer.encode("x/y", forKey: .value)
            var list = outer.nestedUnkeyedContainer(forKey: .list)
            for n in numbers { try list.encode(n) }
            var inner = list.nestedContainer(keyedBy: Keys.self)
            try inner.encodeNil(forKey: .value)
            try top.encode(numbers.count, forKey: .value)
        }
    }

    private func foundation(_ value: some Encodable) throws -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
    }

    private func streamed(_ value: some Encodable) throws -> Any {
        let bytes = try StreamingJSONEncoder().encode(value)
        return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    private func assertSameJSON(_ value: some Encodable, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try foundation(value), actual = try streamed(value)
        XCTAssertEqual(actual as? NSObject, expected as? NSObject, file: file, line: line)
    }

    func testRandomValuesEncodeAsFoundationWouldEncodeThem() throws {
        var rng = SplitMix64(seed: 20261201)
        for _ in 0..<500 {
            try assertSameJSON(JSONSamples.tree(&rng, depth: 3))
        }
    }

    /// Stored JSON keeps Foundation's default dates; it must read back, with Foundation's decoder
    /// and ours, as the values written.
    func testStoredJSONReadsBackAsWritten() throws {
        var rng = SplitMix64(seed: 99)
        let encoder = StreamingJSONEncoder(dates: .secondsSinceReferenceDate)
        for _ in 0..<300 {
            let tree = JSONSamples.tree(&rng, depth: 2)
            let bytes = try encoder.encode(tree)
            XCTAssertEqual(try JSONDecoder().decode(Tree.self, from: Data(bytes)), tree)
            XCTAssertEqual(try TapeJSONDecoder().decode(Tree.self, from: Data(bytes)), tree)
        }
    }

    func testDatesAreWholeSecondsInUTCAsFoundationWritesThem() throws {
        var rng = SplitMix64(seed: 7)
        let edges: [Double] = [0, -0.5, -1, 0.999, 86_399.9, 951_782_400, -12_219_292_800, 253_402_300_799]
        for seconds in edges + (0..<2_000).map({ _ in Double.random(in: -4e9...4e9, using: &rng) }) {
            let date = Date(timeIntervalSince1970: seconds)
            XCTAssertEqual(try streamed([date]) as? [String], try foundation([date]) as? [String], "\(seconds)")
        }
    }

    func testTextIsEscapedOnlyWhereJSONNeedsIt() throws {
        let bytes = try StreamingJSONEncoder().encode(["k": "a\"b\\c/d\n\u{01}网"])
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #"{"k":"a\"b\\c/d\n\u0001网"}"#)
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(["b": 1, "a": 2, "c": 3]), as: UTF8.self),
                       #"{"a":2,"b":1,"c":3}"#, "dictionaries come out with their keys sorted, the same every time")
    }

    func testHandWrittenNestedContainersCloseInTheRightPlaces() throws {
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(Custom(numbers: [1, 2])), as: UTF8.self),
                       #"{"outer":{"value":"x/y","list":[1,2,{"value":null}]},"value":2}"#)
        try assertSameJSON(Custom(numbers: []))
    }

    func testNumbersJSONCannotHoldAreRefused() {
        XCTAssertThrowsError(try StreamingJSONEncoder().encode(["x": Double.nan]))
        XCTAssertThrowsError(try StreamingJSONEncoder().encode([Double.infinity]))
    }

    /// Writing to a container whose parent has moved on would give broken JSON; it must fail instead.
    func testWritingToAFinishedContainerFails() {
        struct Misuse: Encodable {
            enum Keys: CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var top = encoder.container(keyedBy: Keys.self)
                var early = top.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try top.encode(1, forKey: .b)
                try early.encode(2, forKey: .a)
            }
        }
        XCTAssertThrowsError(try StreamingJSONEncoder().encode(Misuse()))
    }
}
