import Foundation
@testable import WanggeDomain
import XCTest

/// The API's encoder must write what Foundation's `JSONEncoder` (with the settings the API used
/// before) writes, as a client reads it: the same values under the same keys.
final class StreamingJSONEncoderTests: XCTestCase {
    private struct Leaf: Codable, Equatable {
        var text: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var when: Date
        var maybe: String?
        var small: Int8
        var unsigned: UInt64
        var single: Float
    }

    private enum Colour: String, Codable { case red, blue }

    private struct Tree: Codable, Equatable {
        var name: String
        var colour: Colour
        var leaves: [Leaf]
        var byName: [String: Int]
        var nested: [[Int?]]
        var child: [Tree]
        var empty: Nothing
        var url: URL
        var blob: Data
    }

    private struct Nothing: Codable, Equatable {}

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

    private static let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}",
                                              "\u{1F}", "\u{7F}", "网", "格", "é", "😀", "'"]

    private func randomText(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...12, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }.joined()
    }

    private func randomDouble(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: Double(Int.random(in: -1000...1000, using: &rng))
        case 1: Double.random(in: -180...180, using: &rng)
        case 2: Double.random(in: 0..<1, using: &rng) * 1e-9
        case 3: Double.random(in: 1..<10, using: &rng) * 1e17
        default: (Double(Int.random(in: 0...100_000, using: &rng)) / 100).rounded(.down)
        }
    }

    private func randomLeaf(_ rng: inout SplitMix64) -> Leaf {
        Leaf(text: randomText(&rng), count: Int.random(in: Int.min...Int.max, using: &rng), ratio: randomDouble(&rng),
             flag: Bool.random(using: &rng),
             when: Date(timeIntervalSince1970: Double.random(in: -3e9...4e9, using: &rng)),
             maybe: Bool.random(using: &rng) ? randomText(&rng) : nil, small: Int8.random(in: .min ... .max, using: &rng),
             unsigned: UInt64.random(in: .min ... .max, using: &rng), single: Float(randomDouble(&rng)))
    }

    private func randomTree(_ rng: inout SplitMix64, depth: Int) -> Tree {
        Tree(name: randomText(&rng), colour: Bool.random(using: &rng) ? .red : .blue,
             leaves: (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomLeaf(&rng) },
             byName: Dictionary((0..<Int.random(in: 0...4, using: &rng)).map { _ in (randomText(&rng), Int.random(in: -9...9, using: &rng)) },
                                uniquingKeysWith: { first, _ in first }),
             nested: (0..<Int.random(in: 0...2, using: &rng)).map { _ in [1, nil, Int.random(in: 0...9, using: &rng)] },
             child: depth > 0 && Bool.random(using: &rng) ? [randomTree(&rng, depth: depth - 1)] : [],
             empty: Nothing(), url: URL(string: "https://example.org/a/\(Int.random(in: 0...9, using: &rng))?q=网")!,
             blob: Data((0..<Int.random(in: 0...9, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
    }

    func testRandomValuesEncodeAsFoundationWouldEncodeThem() throws {
        var rng = SplitMix64(seed: 20261201)
        for _ in 0..<500 {
            try assertSameJSON(randomTree(&rng, depth: 3))
        }
    }

    /// Stored JSON keeps Foundation's default dates; it must read back, with Foundation's decoder
    /// and ours, as the values written.
    func testStoredJSONReadsBackAsWritten() throws {
        var rng = SplitMix64(seed: 99)
        let encoder = StreamingJSONEncoder(dates: .secondsSinceReferenceDate)
        for _ in 0..<300 {
            let tree = randomTree(&rng, depth: 2)
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
