import Foundation
import WanggeDomain

/// Random values for the JSON codec's tests: every kind of value the API and the stored columns
/// hold (text with escapes and non-ASCII, integers of every width, floats, dates, optionals, enums
/// with and without payloads, nested arrays and dictionaries, an empty struct, URLs and data).
enum JSONSamples {
    struct Leaf: Codable, Equatable {
        var text: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var when: Date
        var maybe: String?
        var maybeNumber: Int?
        var small: Int8
        var unsigned: UInt64
        var single: Float
        var amount: Decimal
    }

    enum Colour: String, Codable { case red, blue }
    enum Clock: Codable, Equatable { case minutes(Int), workingDays(Int), none }
    struct Nothing: Codable, Equatable {}

    struct Tree: Codable, Equatable {
        var name: String
        var colour: Colour
        var clock: Clock
        var leaves: [Leaf]
        var byName: [String: Int]
        var nested: [[Int?]]
        var child: [Tree]
        var empty: Nothing
        var url: URL
        var blob: Data
    }

    static let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}",
                                     "\u{1F}", "\u{7F}", "网", "格", "é", "😀", "'", "\u{2028}"]

    static func text(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    static func double(_ rng: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: Double(Int.random(in: -1000...1000, using: &rng))
        case 1: Double.random(in: -180...180, using: &rng)
        case 2: Double.random(in: 0..<1, using: &rng) * 1e-9
        case 3: Double.random(in: 1..<10, using: &rng) * 1e17
        default: (Double(Int.random(in: 0...100_000, using: &rng)) / 100).rounded(.down)
        }
    }

    static func leaf(_ rng: inout SplitMix64) -> Leaf {
        Leaf(text: text(&rng), count: Int.random(in: .min ... .max, using: &rng), ratio: double(&rng), flag: Bool.random(using: &rng),
             when: Date(timeIntervalSince1970: Double.random(in: -3e9...4e9, using: &rng)),
             maybe: Bool.random(using: &rng) ? text(&rng) : nil, maybeNumber: Bool.random(using: &rng) ? Int.random(in: -9...9, using: &rng) : nil,
             small: Int8.random(in: .min ... .max, using: &rng), unsigned: UInt64.random(in: .min ... .max, using: &rng),
             single: Float(double(&rng)), amount: Decimal(Int.random(in: -9999...9999, using: &rng)) / 100)
    }

    static func tree(_ rng: inout SplitMix64, depth: Int) -> Tree {
        Tree(name: text(&rng), colour: Bool.random(using: &rng) ? .red : .blue,
             clock: [Clock.minutes(Int.random(in: 1...600, using: &rng)), .workingDays(3), .none].randomElement(using: &rng)!,
             leaves: (0..<Int.random(in: 0...3, using: &rng)).map { _ in leaf(&rng) },
             byName: Dictionary((0..<Int.random(in: 0...4, using: &rng)).map { _ in (text(&rng), Int.random(in: -9...9, using: &rng)) },
                                uniquingKeysWith: { first, _ in first }),
             nested: (0..<Int.random(in: 0...2, using: &rng)).map { _ in [1, nil, Int.random(in: 0...9, using: &rng)] },
             child: depth > 0 && Bool.random(using: &rng) ? [tree(&rng, depth: depth - 1)] : [],
             empty: Nothing(), url: URL(string: "https://example.org/a/\(Int.random(in: 0...9, using: &rng))?q=%E7%BD%91")!,
             blob: Data((0..<Int.random(in: 0...9, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
    }
}
