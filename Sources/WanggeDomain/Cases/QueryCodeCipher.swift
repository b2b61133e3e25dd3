/// Query codes that carry their case's id, enciphered under the installation's key.
///
/// A code drawn at random can only be found again through an index on it (on its hash), and each new
/// case's entry lands on a page of that index of its own: at a million cases a tenth of intake's cost
/// (BENCHMARKS.md, "What the query code's random index costs"). A code that carries the case's id is
/// found from the id, and its stored hash can be kept in id order (`v2:`, `QueryCodeHash.stored`), so a
/// new case's entry goes at the index's end like the others'.
///
/// The code is a keyed permutation (a Feistel network of ten rounds of SipHash-2-4 over the two halves
/// of 31¹⁰, each 31⁵) of `id × spread + r`, `r` drawn at random below `spread` (about 2²²·⁵). Without
/// the key a code is as unguessable as a random one: every one of the 31¹⁰ codes is equally likely,
/// and one in 31¹⁰ ÷ (cases) opens a case. With the key, a code still needs its case's `r`.
public struct QueryCodeCipher: Sendable, Equatable {
    /// Ids at or past this get a code drawn at random (the older kind) instead: 134 million cases.
    public static let idLimit: UInt64 = 1 << 27
    /// How many codes each id has: as many as fit, `idLimit × spread ≤ 31¹⁰`.
    public static let spread = QueryCode.codeCount / idLimit
    static let half = UInt64(31 * 31 * 31 * 31 * 31)
    static let rounds: UInt64 = 10

    private let prf: SipHash24

    /// `key`: 16 bytes (`QueryCodeKey` keeps the installation's).
    public init?(key: [UInt8]) {
        guard let prf = SipHash24(key: key) else { return nil }
        self.prf = prf
    }

    /// A new code for case `id`, or nil when the id is past `idLimit`.
    public func issue<G: RandomNumberGenerator>(caseID id: Int, using generator: inout G) -> String? {
        issue(caseID: id, random: generator.next())
    }

    /// A new code for case `id` from a random draw made beforehand (intake draws it off the writer's thread);
    /// the draw is taken modulo `spread`, which favours some values by less than one part in 2⁴⁰.
    public func issue(caseID id: Int, random: UInt64) -> String? {
        guard id > 0, UInt64(id) < Self.idLimit else { return nil }
        return QueryCode.text(of: encipher(UInt64(id) * Self.spread + random % Self.spread))
    }

    /// The case a normalised code (`QueryCode.normalise`) would open if it was issued here; nil when no
    /// issued code deciphers like it. Whether it was is for its stored hash to say.
    public func caseID(of code: String) -> Int? {
        guard let number = QueryCode.number(of: code) else { return nil }
        let id = decipher(number) / Self.spread
        return id > 0 && id < Self.idLimit ? Int(id) : nil
    }

    func encipher(_ number: UInt64) -> UInt64 {
        var (left, right) = (number / Self.half, number % Self.half)
        for round in 0..<Self.rounds {
            (left, right) = (right, (left + mixed(round, right)) % Self.half)
        }
        return left * Self.half + right
    }

    func decipher(_ number: UInt64) -> UInt64 {
        var (left, right) = (number / Self.half, number % Self.half)
        for round in (0..<Self.rounds).reversed() {
            (left, right) = ((right + Self.half - mixed(round, left)) % Self.half, left)
        }
        return left * Self.half + right
    }

    private func mixed(_ round: UInt64, _ value: UInt64) -> UInt64 {
        prf.hash(round << 32 | value) % Self.half
    }
}
