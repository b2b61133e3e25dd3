import Foundation

/// What a leaf indicator measures: one of the seven rates or one stored count.
/// Codes as `{"rate":"satisfaction"}` or `{"count":"overdue"}`, the shape admins edit.
public enum IndexMetric: Sendable, Equatable, Codable {
    case rate(Rate)
    case count(CountField)

    private enum CodingKeys: String, CodingKey { case rate, count }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (c.contains(.rate), c.contains(.count)) {
        case (true, false): self = .rate(try c.decode(Rate.self, forKey: .rate))
        case (false, true): self = .count(try c.decode(CountField.self, forKey: .count))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                                                    debugDescription: "指标须且只能指定 rate 或 count 之一。"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .rate(let r): try c.encode(r, forKey: .rate)
        case .count(let f): try c.encode(f, forKey: .count)
        }
    }

    public var nameZH: String {
        switch self {
        case .rate(let r): r.nameZH
        case .count(let f): f.nameZH
        }
    }

    /// The raw figure: a rate as a fraction (nil when there is nothing to count), a count as is.
    public func value(_ counts: CaseCounts, basicallySatisfiedWeight: Double = 0.8) -> Double? {
        switch self {
        case .rate(let r): r.value(counts, basicallySatisfiedWeight: basicallySatisfiedWeight)
        case .count(let f): Double(f.value(in: counts))
        }
    }
}

/// A measured indicator. Scores run linearly from `worst` (0) to `best` (100), clamped, so
/// "lower is better" is simply `best < worst`. Rates are fractions: 95% is 0.95.
public struct IndexLeaf: Codable, Sendable, Equatable {
    public var metric: IndexMetric
    public var worst: Double
    public var best: Double

    public init(metric: IndexMetric, worst: Double, best: Double) {
        self.metric = metric
        self.worst = worst
        self.best = best
    }

    /// 0–100, or nil for no raw value or a degenerate range (which `validate()` reports).
    public func score(raw: Double?) -> Double? {
        guard let raw, raw.isFinite, worst.isFinite, best.isFinite, best != worst else { return nil }
        return min(max((raw - worst) / (best - worst) * 100, 0), 100)
    }
}

/// A node of the indicator tree: a leaf (`leaf` set, no children) or a group of weighted children.
public struct IndexNode: Codable, Sendable, Equatable {
    public var id: String
    public var nameZH: String
    /// Relative to its siblings; only ratios matter (3 and 1 is 75% and 25%).
    public var weight: Double
    public var children: [IndexNode]
    public var leaf: IndexLeaf?

    public init(id: String, nameZH: String, weight: Double, children: [IndexNode] = [], leaf: IndexLeaf? = nil) {
        self.id = id
        self.nameZH = nameZH
        self.weight = weight
        self.children = children
        self.leaf = leaf
    }

    public static func leaf(_ id: String, _ nameZH: String, weight: Double, _ metric: IndexMetric,
                            worst: Double, best: Double) -> IndexNode {
        IndexNode(id: id, nameZH: nameZH, weight: weight, leaf: IndexLeaf(metric: metric, worst: worst, best: best))
    }

    public static func group(_ id: String, _ nameZH: String, weight: Double, _ children: [IndexNode]) -> IndexNode {
        IndexNode(id: id, nameZH: nameZH, weight: weight, children: children)
    }

    private enum CodingKeys: String, CodingKey { case id, nameZH, weight, children, leaf }

    // Hand-written only so a leaf may omit `children` in admin-edited JSON.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        nameZH = try c.decode(String.self, forKey: .nameZH)
        weight = try c.decode(Double.self, forKey: .weight)
        children = try c.decodeIfPresent([IndexNode].self, forKey: .children) ?? []
        leaf = try c.decodeIfPresent(IndexLeaf.self, forKey: .leaf)
    }
}

/// An admin-defined index such as 平安指数: a weighted tree of indicators computed per area per period.
public struct IndexDefinition: Codable, Sendable, Equatable {
    public var nameZH: String
    public var root: IndexNode

    public static let maxDepth = 5
    public static let maxNodes = 100

    public init(nameZH: String, root: IndexNode) {
        self.nameZH = nameZH
        self.root = root
    }

    /// Problems in Chinese, for the admin form; empty when the definition can be saved.
    public func validate() -> [String] {
        var problems: [String] = []
        if nameZH.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("指数名称不能为空。") }
        var seen = Set<String>(), reportedDuplicates = Set<String>()
        var count = 0, deepest = 0

        func visit(_ node: IndexNode, depth: Int) {
            count += 1
            deepest = max(deepest, depth)
            let label = node.nameZH.isEmpty ? node.id : node.nameZH
            if !Self.isValidID(node.id) {
                problems.append("指标编号「\(node.id)」无效:只能使用小写字母、数字和下划线,长度 1–40。")
            }
            if !seen.insert(node.id).inserted, reportedDuplicates.insert(node.id).inserted {
                problems.append("指标编号「\(node.id)」重复。")
            }
            if node.nameZH.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("指标「\(node.id)」的名称不能为空。")
            }
            if !(node.weight > 0) || !node.weight.isFinite {
                problems.append("指标「\(label)」的权重必须大于 0。")
            }
            if let leaf = node.leaf {
                if !node.children.isEmpty { problems.append("指标「\(label)」是末级指标,不能再有下级指标。") }
                if !leaf.worst.isFinite || !leaf.best.isFinite {
                    problems.append("指标「\(label)」的最差值和最佳值必须是数字。")
                } else if leaf.worst == leaf.best {
                    problems.append("指标「\(label)」的最差值与最佳值不能相同。")
                }
                // The usual slip: typing 95 for 95%.
                if case .rate = leaf.metric, !(0...1).contains(leaf.worst) || !(0...1).contains(leaf.best) {
                    problems.append("指标「\(label)」是比率,最差值和最佳值应在 0 到 1 之间(95% 填 0.95)。")
                }
            } else if node.children.isEmpty {
                problems.append("指标组「\(label)」没有下级指标。")
            }
            // Stop descending past the limit: one message is enough, and a hostile tree stays cheap.
            guard depth <= Self.maxDepth else { return }
            for child in node.children { visit(child, depth: depth + 1) }
        }
        visit(root, depth: 1)
        if deepest > Self.maxDepth { problems.append("指标层级不能超过 \(Self.maxDepth) 层。") }
        if count > Self.maxNodes { problems.append("指标总数不能超过 \(Self.maxNodes) 个(当前 \(count) 个)。") }
        return problems
    }

    static func isValidID(_ id: String) -> Bool {
        (1...40).contains(id.utf8.count) && id.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// A starting 平安指数 built from what every area has: the seven rates and one count.
    /// Ranges follow the seeds (办结率 around 98%, 满意率 in the 90s); admins are expected to tune them.
    public static let safetyIndexDefault = IndexDefinition(
        nameZH: "平安指数",
        root: .group("safety", "平安指数", weight: 1, [
            .group("response_closure", "响应与办结", weight: 40, [
                .leaf("response", "响应率", weight: 1, .rate(.response), worst: 0.6, best: 1),
                .leaf("resolution", "办结率", weight: 1, .rate(.resolution), worst: 0.6, best: 1),
                .leaf("on_time", "按期办结率", weight: 1, .rate(.onTime), worst: 0.6, best: 1),
            ]),
            .group("public_satisfaction", "群众满意", weight: 35, [
                .leaf("satisfaction", "满意率", weight: 3, .rate(.satisfaction), worst: 0.6, best: 1),
                .leaf("reopened", "重办数", weight: 1, .count(.reopened), worst: 20, best: 0),
            ]),
            .group("risk_quality", "风险与质量", weight: 25, [
                .leaf("rework", "返工率", weight: 1, .rate(.rework), worst: 0.2, best: 0),
                .leaf("return_rate", "退回率", weight: 1, .rate(.returnRate), worst: 0.2, best: 0),
                .leaf("overdue_rate", "超期率", weight: 1, .rate(.overdueRate), worst: 0.2, best: 0),
            ]),
        ])
    )
}
