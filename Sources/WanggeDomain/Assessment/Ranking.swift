/// One unit to be ranked (a township, village, grid, department or grid worker) with its counts
/// for the period.
public struct RankingEntry: Sendable, Equatable {
    public var code: String
    public var name: String
    public var counts: CaseCounts

    public init(code: String, name: String, counts: CaseCounts) {
        self.code = code
        self.name = name
        self.counts = counts
    }
}

public struct RankedRow: Sendable, Equatable {
    /// 1-based and distinct, also for the unranked rows at the end, so a table can number every row.
    public var position: Int
    public var code: String
    public var name: String
    /// The rate; `nil` when there is nothing to count (shown as "—").
    public var value: Double?
    /// The rate's denominator, e.g. evaluated cases for 满意率.
    public var volume: Int
    public var counts: CaseCounts
    /// False for rows listed after the ranking: no value, or fewer cases than the minimum volume.
    /// Such a row keeps its value for display but is never on 红榜 or 黑榜.
    public var isRanked: Bool

    public init(position: Int, code: String, name: String, value: Double?, volume: Int, counts: CaseCounts,
                isRanked: Bool) {
        self.position = position
        self.code = code
        self.name = name
        self.value = value
        self.volume = volume
        self.counts = counts
        self.isRanked = isRanked
    }
}

extension Rate {
    /// The denominator `value(_:)` divides by; a rate on 3 cases means less than one on 300.
    public func denominator(_ c: CaseCounts) -> Int {
        switch self {
        case .response, .resolution, .overdueRate: c.registered
        case .onTime: c.closed
        case .satisfaction: c.evaluated
        case .rework, .returnRate: c.dispatched
        }
    }
}

public enum Ranking {
    /// Best first. Units with no value or with fewer than `minimumVolume` cases follow the ranked
    /// ones (a village with one case at 100% must not top the list). Ties go to the larger volume,
    /// then to the code, so the same data always gives the same order.
    public static func rank(_ entries: [RankingEntry], by rate: Rate, basicallySatisfiedWeight: Double = 0.8,
                            minimumVolume: Int = 1) -> [RankedRow] {
        // Sorted as small keys pointing at their entries: sorting the entries themselves (two texts and thirteen counts
        // each) moved and retained them at every step, three quarters of ranking 1,000 grids.
        struct Keyed {
            /// 0 ranked; 1 unranked with a value (too few cases), 2 without one: the unranked follow in that order.
            var group: Int8
            /// The value rounded to 1e-9 and signed so that smaller sorts first: rates that are equal
            /// on paper (e.g. 0.8 × 5 / 10 vs 0.8 × 10 / 20) can differ in the last bit.
            var key: Int64
            var volume: Int
            var index: Int
        }
        let values = entries.map { rate.value($0.counts, basicallySatisfiedWeight: basicallySatisfiedWeight) }
        let keyed = zip(entries, values).enumerated().map { index, pair -> Keyed in
            let (e, value) = pair
            let volume = rate.denominator(e.counts)
            let finite = value.flatMap { $0.isFinite ? $0 : nil }
            let ranked = finite != nil && volume >= minimumVolume
            let scaled = Int64(min(max((finite ?? 0) * 1e9, -1e18), 1e18).rounded())
            return Keyed(group: ranked ? 0 : value != nil ? 1 : 2, key: rate.higherIsBetter ? -scaled : scaled, volume: volume, index: index)
        }
        let sorted = keyed.sorted { a, b in
            if a.group != b.group { return a.group < b.group }
            if a.key != b.key { return a.key < b.key }
            if a.volume != b.volume { return a.volume > b.volume }
            let x = entries[a.index], y = entries[b.index]
            if x.code != y.code { return x.code < y.code }
            return x.name < y.name
        }
        return sorted.enumerated().map { i, k in
            let entry = entries[k.index]
            return RankedRow(position: i + 1, code: entry.code, name: entry.name, value: values[k.index], volume: k.volume,
                             counts: entry.counts, isRanked: k.group == 0)
        }
    }

    /// 红榜: the best `n` ranked rows, best first. 黑榜: the worst `n`, worst first. When there are
    /// fewer than 2n ranked rows the two lists split them (red gets the odd one), so no unit is
    /// praised and blamed at once.
    public static func redBlack(_ ranked: [RankedRow], n: Int) -> (red: [RankedRow], black: [RankedRow]) {
        let candidates = ranked.filter { $0.isRanked && $0.value != nil }
        guard n > 0, !candidates.isEmpty else { return ([], []) }
        let redCount = min(n, (candidates.count + 1) / 2)
        let blackCount = min(n, candidates.count - redCount)
        return (Array(candidates.prefix(redCount)), Array(candidates.suffix(blackCount).reversed()))
    }
}
