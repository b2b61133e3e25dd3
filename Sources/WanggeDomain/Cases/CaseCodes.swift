import Foundation

/// The readable case code (专属编码): `<county code>-<yyyyMMdd>-<5-digit daily sequence>`,
/// e.g. `330110-20261122-00042`. Unique because the sequence is per county per day.
public enum CaseCode {
    public static func make(countyCode: String, day: Date, sequence: Int, timeZone: TimeZone) -> String {
        countyCode + "-" + dayKey(day, timeZone: timeZone) + "-" + RollupKeys.pad(Int64(sequence), 5)
    }

    /// `20261122`: the local day by plain arithmetic (`RollupKeys.localDay`), not `Calendar` and
    /// `String(format:)`, which were a few per cent of a report, some of it inside the group's write.
    public static func dayKey(_ date: Date, timeZone: TimeZone) -> String {
        let (y, m, d) = RollupKeys.civil(RollupKeys.localDay(date, timeZone: timeZone))
        return RollupKeys.pad(y, 4) + RollupKeys.pad(m, 2) + RollupKeys.pad(d, 2)
    }
}

/// The query code (查询码) a reporter uses to follow a case without an account: 10 characters
/// from an alphabet without look-alikes (no 0/O, 1/I/L), one of 31¹⁰ (about 2⁴⁹·⁵), so it cannot be
/// guessed. Readers may type it in lower case, with spaces or dashes. Intake issues codes that carry
/// the case's id under a key (`QueryCodeCipher`); codes drawn at random (`generate`) are the older kind.
public enum QueryCode {
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let length = 10

    /// One uniform draw below 31¹⁰ (about 2⁵⁰), written in base 31: one call to the system's
    /// generator per code, where a draw per character was ten `getrandom` calls per report.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        text(of: UInt64.random(in: 0..<codeCount, using: &generator))
    }

    /// How many codes there are: 31¹⁰.
    public static let codeCount = (0..<length).reduce(UInt64(1)) { product, _ in product * UInt64(alphabet.count) }

    /// The code that writes `number` (below `codeCount`) in base 31, most significant character first.
    public static func text(of number: UInt64) -> String {
        var number = number
        var characters = [Character](repeating: alphabet[0], count: length)
        for position in characters.indices.reversed() {
            characters[position] = alphabet[Int(number % UInt64(alphabet.count))]
            number /= UInt64(alphabet.count)
        }
        return String(characters)
    }

    /// The number a normalised code writes (`normalise`); nil for anything else.
    public static func number(of code: String) -> UInt64? {
        guard code.count == length else { return nil }
        var number: UInt64 = 0
        for character in code {
            guard let digit = alphabet.firstIndex(of: character) else { return nil }
            number = number * UInt64(alphabet.count) + UInt64(digit)
        }
        return number
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Upper-cases and strips separators; `nil` when the result cannot be a query code.
    public static func normalise(_ raw: String) -> String? {
        let cleaned = raw.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard cleaned.count == length, cleaned.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return cleaned
    }

    public static var entropyBits: Double { Double(length) * log2(Double(alphabet.count)) }
}
