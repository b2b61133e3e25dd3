import Foundation
import XCTest
@testable import WanggeDomain

/// Numbers on pages and in exports are written as `String(format:)` writes them: the same digits, the same rounding of
/// ties to even on the exact binary value (0.35 is a little under, 12.25 exactly a tie), signs, zeros and huge values.
final class FixedDecimalTests: XCTestCase {
    func testDigitsAreThoseStringFormatWrites() {
        var generator = SystemRandomNumberGenerator()
        let fixed: [Double] = [0, -0.0, 0.35, 12.25, 12.75, 0.05, -0.05, 1e-9, -1e-9, 99.95, 100, 1234567.891, 1e300, -1e300,
                               .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0.1 + 0.2]
        let random = (0..<2000).map { _ in Double.random(in: -1000...1000, using: &generator) }
            + (0..<500).map { _ in Double(Int.random(in: 0...40000, using: &generator)) / 400 } // ratios with ties among them
        for x in fixed + random {
            for digits in 0...4 {
                XCTAssertEqual(FixedDecimal.string(x, digits: digits), String(format: "%.\(digits)f", x), "\(x) to \(digits)")
            }
        }
        XCTAssertEqual(FixedDecimal.string(0.123456789, digits: 17), String(format: "%.17f", 0.123456789))
        XCTAssertEqual(FixedDecimal.string(2.5, digits: -3), "2", "no digits asked below none")
    }

    /// The integer path's edges: the largest scaled values that fit in 64 bits and the first that do not, every digit
    /// count, subnormals, powers of two around 2^63, and ties at every digit count.
    func testEdgesOfTheIntegerPathAreThoseStringFormatWrites() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0x1p63, -0x1p63, 0x1p63.nextDown, 0x1p62, 0x1p53, 0x1p53 + 2, 0x1p52 + 0.5, 1.8446744073709552e19,
                                184467440737.09551, 18446744073.709551, 1844674407370955.1, .leastNormalMagnitude, 2.5e-308, 5e-324]
        values += (0..<400).map { _ in Double(sign: .plus, exponent: Int.random(in: -80...70, using: &generator),
                                             significand: Double.random(in: 1..<2, using: &generator)) }
        values += (0..<400).map { _ in Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / 1024 } // exact ties
        for x in values {
            for digits in 0...17 {
                XCTAssertEqual(FixedDecimal.string(x, digits: digits), String(format: "%.\(digits)f", x), "\(x) to \(digits)")
            }
        }
    }
}
