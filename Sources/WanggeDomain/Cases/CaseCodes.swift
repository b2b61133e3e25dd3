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
        String(unsafeUninitializedCapacity: length) { bytes in
            var number = number
            for position in (0..<length).reversed() {
                bytes[position] = alphabetBytes[Int(number % UInt64(alphabetBytes.count))]
                number /= UInt64(alphabetBytes.count)
            }
            return length
        }
    }

    private static let alphabetBytes = Array(String(alphabet).utf8)

    /// The number a normalised code writes (`normalise`); nil for anything else.
    public static func number(of code: String) -> UInt64? {
        var number: UInt64 = 0, count = 0
        for byte in code.utf8 {
            guard byte < 128, digits[Int(byte)] >= 0 else { return nil }
            number = number * UInt64(alphabet.count) + UInt64(digits[Int(byte)])
            count += 1
        }
        return count == length ? number : nil
    }

    /// Each ASCII byte's digit in the alphabet, or -1: a table, where a search of the alphabet's characters
    /// for each of a code's ten was a tracking request's few microseconds.
    private static let digits: [Int8] = (0..<128).map { byte in
        Int8(alphabet.firstIndex(of: Character(Unicode.Scalar(UInt8(byte)))) ?? -1)
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// Upper-cases and strips separators; `nil` when the result cannot be a query code.
    public static func normalise(_ raw: String) -> String? {
        if let ascii = normaliseASCII(raw) { return ascii.isEmpty ? nil : ascii }
        return normaliseCharacters(raw)
    }

    /// `normalise` character by character, for any text (a full-width space typed on a phone).
    static func normaliseCharacters(_ raw: String) -> String? {
        let cleaned = raw.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard cleaned.count == length, cleaned.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return cleaned
    }

    /// `normalise` for text of ASCII only, byte by byte ("" when it is no code); nil for any other text. Tracking
    /// normalises each code it is sent, and a walk of its characters (whitespace, case, the alphabet) was 2% of it.
    static func normaliseASCII(_ raw: String) -> String? {
        var code: [UInt8] = []
        code.reserveCapacity(length)
        for byte in raw.utf8 {
            guard byte < 128 else { return nil }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || (9...13).contains(byte) { continue }
            let upper = (97...122).contains(byte) ? byte - 32 : byte
            guard digits[Int(upper)] >= 0, code.count < length else { return "" }
            code.append(upper)
        }
        return code.count == length ? String(decoding: code, as: UTF8.self) : ""
    }

    public static var entropyBits: Double { Double(length) * log2(Double(alphabet.count)) }
}
