/// One stored counter of `CaseCounts`, so indices, reports and filters can name a count as data.
/// Raw values are the rollup table's column names.
public enum CountField: String, Sendable, CaseIterable, Codable {
    case received
    case registered
    case dispatched
    case respondedInTime = "responded_in_time"
    case closed
    case closedOnTime = "closed_on_time"
    case overdue
    case returned
    case reworked
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case unsatisfied
    case reopened

    public var nameZH: String {
        switch self {
        // `received` counts reports as they arrive (before 立案), hence 上报 rather than 受理.
        case .received: "上报数"
        case .registered: "立案数"
        case .dispatched: "派遣数"
        case .respondedInTime: "按时响应数"
        case .closed: "结案数"
        case .closedOnTime: "按期办结数"
        case .overdue: "超期数"
        case .returned: "退回数"
        case .reworked: "返工数"
        case .satisfied: "满意数"
        case .basicallySatisfied: "基本满意数"
        case .unsatisfied: "不满意数"
        case .reopened: "重办数"
        }
    }

    public func value(in c: CaseCounts) -> Int {
        switch self {
        case .received: c.received
        case .registered: c.registered
        case .dispatched: c.dispatched
        case .respondedInTime: c.respondedInTime
        case .closed: c.closed
        case .closedOnTime: c.closedOnTime
        case .overdue: c.overdue
        case .returned: c.returned
        case .reworked: c.reworked
        case .satisfied: c.satisfied
        case .basicallySatisfied: c.basicallySatisfied
        case .unsatisfied: c.unsatisfied
        case .reopened: c.reopened
        }
    }
}
