/// Where a case stands in the closed loop (六步闭环).
public enum CaseState: String, Sendable, Codable, CaseIterable {
    case reported        // 待受理: in, not yet accepted as a case
    case registered      // 已立案: accepted, waiting for dispatch
    case rejected        // 不予受理: refused, with a reason the reporter sees
    case merged          // 已合并: a duplicate folded into a master case
    case dispatched      // 已派遣: sent to a department or a grid, not yet accepted
    case inProgress = "in_progress" // 处置中
    case handled         // 待核查: result submitted, waiting for on-site verification
    case verified        // 待评价: verified, waiting for the reporter's rating or a return visit
    case evaluated       // 已评价
    case closed          // 已结案
    case archived        // 已归档

    public var nameZH: String {
        switch self {
        case .reported: "待受理"
        case .registered: "已立案"
        case .rejected: "不予受理"
        case .merged: "已合并"
        case .dispatched: "已派遣"
        case .inProgress: "处置中"
        case .handled: "待核查"
        case .verified: "待评价"
        case .evaluated: "已评价"
        case .closed: "已结案"
        case .archived: "已归档"
        }
    }

    public var nameEN: String {
        switch self {
        case .reported: "Reported"
        case .registered: "Registered"
        case .rejected: "Rejected"
        case .merged: "Merged"
        case .dispatched: "Dispatched"
        case .inProgress: "In progress"
        case .handled: "Awaiting verification"
        case .verified: "Awaiting evaluation"
        case .evaluated: "Evaluated"
        case .closed: "Closed"
        case .archived: "Archived"
        }
    }

    /// Still somebody's work: counts in queues, duplicate hints and (later) deadlines.
    public var isOpen: Bool {
        switch self {
        case .rejected, .merged, .closed, .archived: false
        default: true
        }
    }

    public static var openStates: [CaseState] { allCases.filter(\.isOpen) }

    /// A state's stored name read back, as `init(rawValue:)` reads it. Compared with each state's name in turn, which
    /// for names this short is a comparison of two words: the synthesized initializer searches a table of static
    /// strings, and reading 3,500 open cases' states twice that way was 6% of the overview's CPU.
    public init?(stored name: String) {
        for state in Self.all where state.rawValue == name {
            self = state
            return
        }
        return nil
    }

    /// Every state, once: `allCases` builds its array at each use.
    public static let all = allCases

    /// The state's place in `all`, to count by state in an array.
    public var ordinal: Int { Self.all.firstIndex(of: self)! }
}

/// How a problem reached the centre.
public enum Channel: String, Sendable, Codable, CaseIterable {
    case citizen      // 随手报: app or web, anonymous or signed in
    case patrol       // 巡查上报: a grid worker on patrol
    case hotline      // 12345 and other hotlines, typed in by an operator
    case window       // 窗口: walk-in at a centre
    case petition     // 信访: letter or visit
    case open311      // a client system through Open311

    public var nameZH: String {
        switch self {
        case .citizen: "群众随手报"
        case .patrol: "网格员巡查"
        case .hotline: "热线"
        case .window: "窗口受理"
        case .petition: "信访"
        case .open311: "外部系统"
        }
    }

    public var nameEN: String {
        switch self {
        case .citizen: "Citizen report"
        case .patrol: "Grid patrol"
        case .hotline: "Hotline"
        case .window: "Walk-in window"
        case .petition: "Petition"
        case .open311: "Open311 client"
        }
    }

    /// The role that may record a case from this channel; `nil` means anyone, signed in or not.
    public var requiredRole: Role? {
        switch self {
        case .citizen, .open311: nil
        case .patrol: .gridWorker
        case .hotline, .window, .petition: .dispatcher
        }
    }
}

public enum Urgency: String, Sendable, Codable, CaseIterable {
    case normal, urgent, critical

    public var nameZH: String {
        switch self {
        case .normal: "一般"
        case .urgent: "紧急"
        case .critical: "特急"
        }
    }
}

/// The reporter's verdict (满意 / 基本满意 / 不满意).
public enum Rating: String, Sendable, Codable, CaseIterable {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case unsatisfied

    public var nameZH: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .unsatisfied: "不满意"
        }
    }
}

public enum PetitionKind: String, Sendable, Codable, CaseIterable {
    case letter, visit
}
