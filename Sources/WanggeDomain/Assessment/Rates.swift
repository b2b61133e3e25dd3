/// The counts an area (or department) accumulates in a period, from which every rate is derived.
/// The assessment module (issue 8) keeps these as rollups per unit × day × category × channel.
public struct CaseCounts: Sendable, Equatable, Codable {
    public var received = 0
    public var registered = 0
    public var dispatched = 0
    public var respondedInTime = 0
    public var closed = 0
    public var closedOnTime = 0
    public var overdue = 0
    public var returned = 0
    public var reworked = 0
    public var satisfied = 0
    public var basicallySatisfied = 0
    public var unsatisfied = 0
    public var reopened = 0

    public init() {}

    /// From the thirteen counters in declaration order (the rollup table's column order).
    public init(values v: [Int]) {
        precondition(v.count == 13, "CaseCounts has 13 counters")
        (received, registered, dispatched, respondedInTime, closed, closedOnTime, overdue) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6])
        (returned, reworked, satisfied, basicallySatisfied, unsatisfied, reopened) = (v[7], v[8], v[9], v[10], v[11], v[12])
    }

    /// The thirteen counters in declaration order.
    public var values: [Int] {
        [received, registered, dispatched, respondedInTime, closed, closedOnTime, overdue,
         returned, reworked, satisfied, basicallySatisfied, unsatisfied, reopened]
    }

    public static func + (a: CaseCounts, b: CaseCounts) -> CaseCounts {
        var c = a
        c.received += b.received; c.registered += b.registered; c.dispatched += b.dispatched
        c.respondedInTime += b.respondedInTime; c.closed += b.closed; c.closedOnTime += b.closedOnTime
        c.overdue += b.overdue; c.returned += b.returned; c.reworked += b.reworked
        c.satisfied += b.satisfied; c.basicallySatisfied += b.basicallySatisfied; c.unsatisfied += b.unsatisfied
        c.reopened += b.reopened
        return c
    }

    public static func += (a: inout CaseCounts, b: CaseCounts) { a = a + b }

    public var evaluated: Int { satisfied + basicallySatisfied + unsatisfied }
}

/// The rates centres are judged by, each defined once. A rate with nothing to count is `nil`
/// (shown as "—"), never 0% or 100%.
public enum Rate: String, Sendable, CaseIterable, Codable {
    case response       // 响应率: registered cases responded to within the response deadline
    case resolution     // 解决率 / 办结率: registered cases closed
    case onTime         // 按期办结率: closed cases closed within the resolve deadline
    case satisfaction   // 满意率: (满意 + w × 基本满意) / evaluated
    case rework         // 返工率: dispatched cases sent back after a failed verification
    case returnRate     // 退回率: dispatched cases returned by the department
    case overdueRate    // 超期率: registered cases that went overdue

    public var nameZH: String {
        switch self {
        case .response: "响应率"
        case .resolution: "办结率"
        case .onTime: "按期办结率"
        case .satisfaction: "满意率"
        case .rework: "返工率"
        case .returnRate: "退回率"
        case .overdueRate: "超期率"
        }
    }

    /// How it is computed, for the explanation shown next to every figure.
    public var explanationZH: String {
        switch self {
        case .response: "在响应时限内签收或立案的事件数 ÷ 立案事件数"
        case .resolution: "已结案事件数 ÷ 立案事件数"
        case .onTime: "在办结时限内结案的事件数 ÷ 已结案事件数"
        case .satisfaction: "(满意数 + 基本满意数 × 权重) ÷ 参与评价数"
        case .rework: "核查不通过返工的次数 ÷ 派遣事件数"
        case .returnRate: "被部门退回的次数 ÷ 派遣事件数"
        case .overdueRate: "超期事件数 ÷ 立案事件数"
        }
    }

    /// Higher is better for the first four, worse for the rest (used by indices and rankings).
    public var higherIsBetter: Bool { [.response, .resolution, .onTime, .satisfaction].contains(self) }

    public func value(_ c: CaseCounts, basicallySatisfiedWeight: Double = 0.8) -> Double? {
        func ratio(_ n: Double, _ d: Int) -> Double? { d > 0 ? n / Double(d) : nil }
        switch self {
        case .response: return ratio(Double(c.respondedInTime), c.registered)
        case .resolution: return ratio(Double(c.closed), c.registered)
        case .onTime: return ratio(Double(c.closedOnTime), c.closed)
        case .satisfaction: return ratio(Double(c.satisfied) + Double(c.basicallySatisfied) * basicallySatisfiedWeight, c.evaluated)
        case .rework: return ratio(Double(c.reworked), c.dispatched)
        case .returnRate: return ratio(Double(c.returned), c.dispatched)
        case .overdueRate: return ratio(Double(c.overdue), c.registered)
        }
    }
}
