import WanggeDomain
import WanggePersistence

/// Keeps generated query codes unique. They are drawn at random, ten characters of 31, so among a
/// million cases two agree about once in 5,000 runs (`--seed 7` drew one twice, for cases 98,395 and
/// 582,630), and the database refuses the second with the whole batch. Claimed in batch order, the
/// result does not depend on which batch was computed first.
struct UniqueQueryHashes {
    private var seen = Set<UInt64>()
    private let seed: UInt64

    init(seed: UInt64) { self.seed = seed }

    /// `hash` if no case before has it, else the hash of a code drawn again for case `caseID`.
    mutating func claim(_ hash: String, caseID: Int) -> String {
        var hash = hash
        var random = SplitMix64(seed: seed ^ (UInt64(caseID) &* 0x9E37_79B9_7F4A_7C15))
        while !seen.insert(Self.fingerprint(hash)).inserted {
            hash = QueryCodeHash.hash(QueryCode.generate(using: &random))
        }
        return hash
    }

    /// The first 64 bits of the hex digest: two codes that differ there differ, and two that agree
    /// there are taken for the same, which only costs a new draw.
    private static func fingerprint(_ hash: String) -> UInt64 {
        UInt64(hash.prefix(16), radix: 16) ?? 0
    }
}
