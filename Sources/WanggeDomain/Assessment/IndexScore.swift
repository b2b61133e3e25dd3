import Foundation

/// An index computed for one area and period, mirroring the definition's tree so every score can
/// be explained down to the figure it came from.
public struct IndexScore: Sendable, Equatable {
    public var id: String
    public var nameZH: String
    public var weight: Double
    /// 0–100 at full precision; nil when nothing below it could be measured.
    public var score: Double?
    /// A leaf's figure (rate as a fraction, or the count); nil for groups.
    public var raw: Double?
    public var children: [IndexScore]

    public init(id: String, nameZH: String, weight: Double, score: Double?, raw: Double?, children: [IndexScore]) {
        self.id = id
        self.nameZH = nameZH
        self.weight = weight
        self.score = score
        self.raw = raw
        self.children = children
    }

    /// One decimal for display ("87.5"), "—" for no score. Rounding happens only here.
    public var scoreText: String {
        guard let score, score.isFinite else { return "—" }
        return String(format: "%.1f", (score * 10).rounded() / 10)
    }
}

extension IndexNode {
    /// A leaf scores its metric. A group is the weighted mean of the children that have a score,
    /// their weights renormalised, so an area with no evaluations is judged on the rest rather than
    /// given 0 for 满意率.
    public func evaluate(_ counts: CaseCounts, basicallySatisfiedWeight: Double = 0.8) -> IndexScore {
        if let leaf {
            let raw = leaf.metric.value(counts, basicallySatisfiedWeight: basicallySatisfiedWeight)
            return IndexScore(id: id, nameZH: nameZH, weight: weight, score: leaf.score(raw: raw), raw: raw, children: [])
        }
        let scored = children.map { $0.evaluate(counts, basicallySatisfiedWeight: basicallySatisfiedWeight) }
        var sum = 0.0, totalWeight = 0.0
        for child in scored {
            guard let s = child.score, child.weight > 0, child.weight.isFinite else { continue }
            sum += s * child.weight
            totalWeight += child.weight
        }
        return IndexScore(id: id, nameZH: nameZH, weight: weight, score: totalWeight > 0 ? sum / totalWeight : nil,
                          raw: nil, children: scored)
    }
}

extension IndexDefinition {
    public func evaluate(_ counts: CaseCounts, basicallySatisfiedWeight: Double = 0.8) -> IndexScore {
        root.evaluate(counts, basicallySatisfiedWeight: basicallySatisfiedWeight)
    }
}
