import Foundation

/// A length of time in the unit a policy is written in.
public enum SLADuration: Sendable, Codable, Equatable {
    case minutes(Int)
    case workingDays(Int)

    public func due(from start: Date, calendar: WorkingCalendar) -> Date {
        switch self {
        case let .minutes(m): start.addingTimeInterval(TimeInterval(m * 60))
        case let .workingDays(d): calendar.adding(workingDays: d, to: start)
        }
    }

    /// How much of the allowed time has passed: natural time for minutes, working time for days.
    public func elapsedFraction(start: Date, due: Date, now: Date, calendar: WorkingCalendar) -> Double {
        switch self {
        case .minutes:
            let total = due.timeIntervalSince(start)
            return total <= 0 ? 1 : now.timeIntervalSince(start) / total
        case .workingDays:
            if now >= due { return max(1, now.timeIntervalSince(start) / max(1, due.timeIntervalSince(start))) }
            let total = calendar.workingSeconds(from: start, to: due)
            return total <= 0 ? 1 : calendar.workingSeconds(from: start, to: now) / total
        }
    }

    public var labelZH: String {
        switch self {
        case let .minutes(m): m % 60 == 0 ? "\(m / 60) 小时" : "\(m) 分钟"
        case let .workingDays(d): "\(d) 个工作日"
        }
    }
}

/// The three clocks of a case (Haiyan's "131": respond within 1 hour, resolve within 3 days,
/// reply within 1 day of resolving).
public struct SLAPolicy: Sendable, Codable, Equatable {
    /// Whoever holds the case must respond: the centre registers it, a department or grid accepts it.
    public var accept: SLADuration
    /// From registration to the submitted result.
    public var resolve: SLADuration
    /// From the result to the reply to the reporter (evaluation or return visit).
    public var reply: SLADuration

    public init(accept: SLADuration, resolve: SLADuration, reply: SLADuration) {
        self.accept = accept
        self.resolve = resolve
        self.reply = reply
    }

    public static let standard = SLAPolicy(accept: .minutes(60), resolve: .workingDays(3), reply: .workingDays(1))
    public static let urgent = SLAPolicy(accept: .minutes(30), resolve: .workingDays(1), reply: .workingDays(1))
    public static let critical = SLAPolicy(accept: .minutes(15), resolve: .minutes(4 * 60), reply: .workingDays(1))
}

/// Policies by category and urgency; the most specific rule wins: (subcategory, urgency),
/// (subcategory), (category, urgency), (category), (urgency), default.
public struct SLAPolicyBook: Sendable {
    public struct Rule: Sendable, Codable, Equatable {
        public var categoryCode: String?
        public var urgency: Urgency?
        public var policy: SLAPolicy

        public init(categoryCode: String? = nil, urgency: Urgency? = nil, policy: SLAPolicy) {
            self.categoryCode = categoryCode
            self.urgency = urgency
            self.policy = policy
        }
    }

    public var rules: [Rule]
    public var fallback: SLAPolicy

    public init(rules: [Rule], fallback: SLAPolicy = .standard) {
        self.rules = rules
        self.fallback = fallback
    }

    public static let demo = SLAPolicyBook(rules: [
        Rule(urgency: .urgent, policy: .urgent),
        Rule(urgency: .critical, policy: .critical),
    ])

    public func policy(category: String?, urgency: Urgency) -> SLAPolicy {
        let parent = category.map { String($0.prefix(2)) }
        let candidates: [(String?, Urgency?)] = [(category, urgency), (category, nil), (parent, urgency), (parent, nil), (nil, urgency), (nil, nil)]
        for (code, level) in candidates {
            if code == nil, category != nil, level == nil { continue }
            if let rule = rules.first(where: { $0.categoryCode == code && $0.urgency == level }) { return rule.policy }
        }
        return fallback
    }
}
