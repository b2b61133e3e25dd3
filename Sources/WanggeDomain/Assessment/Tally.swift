/// What one event adds to the counts of the case's place, of its lead department and of the grid
/// worker who acted. The same function runs when the event is written and when `rollups rebuild`
/// replays the event log, so the two can only agree.
public struct EventTally: Sendable, Equatable {
    public var place = CaseCounts()
    /// The department the department counts belong to (the lead department at that moment).
    public var departmentCode: String?
    public var department = CaseCounts()
    /// Counts for the acting grid worker (上报数, tasks taken, on-spot resolutions).
    public var worker = CaseCounts()

    public init() {}

    public var isEmpty: Bool {
        place == CaseCounts() && department == CaseCounts() && worker == CaseCounts()
    }
}

public enum Tally {
    /// Whether the clock an action meets was met in time, recorded on the event row when it is
    /// written (the SLA rules may change later; the evidence must not).
    public static func onTime(_ action: CaseAction, deadlinesAfter d: CaseDeadlines) -> Bool? {
        switch action {
        case .register, .resolveOnSpot, .accept: d.accept?.met
        case .close: d.resolve?.met ?? true
        default: nil
        }
    }

    /// - Parameters:
    ///   - onTime: the event's recorded `on_time`.
    ///   - firstOverdue: for `.overdue`, whether it is the case's first (超期率 counts cases, not clocks).
    ///   - byGridWorker: the actor is a grid worker.
    public static func count(_ action: CaseAction, before: CaseSnapshot, after: CaseSnapshot, onTime: Bool?,
                             firstOverdue: Bool, byGridWorker: Bool) -> EventTally {
        var t = EventTally()
        var shared = CaseCounts() // counted for the place and, when there is one, the lead department
        let inTime = onTime == true ? 1 : 0
        switch action {
        case .report:
            t.place.received = 1
            if byGridWorker { t.worker.received = 1 }
        case .register:
            t.place.registered = 1
            t.place.respondedInTime = inTime
        case .resolveOnSpot:
            // 小事不出网格: registered and responded to at once.
            t.place.registered = 1
            t.place.respondedInTime = inTime
            if byGridWorker { t.worker.registered = 1; t.worker.respondedInTime = inTime; t.worker.closed = 1 }
        case .dispatch:
            t.place.dispatched = 1
            if after.leadDepartmentCode != nil {
                t.department.received = 1
                t.department.registered = 1
                t.department.dispatched = 1
            }
        case .accept:
            if after.leadDepartmentCode != nil { t.department.respondedInTime = inTime }
            if byGridWorker { t.worker.registered = 1; t.worker.respondedInTime = inTime }
        case .submitResult:
            if byGridWorker { t.worker.closed = 1 }
        case .returnCase:
            shared.returned = 1
        case .verifyFail:
            shared.reworked = 1
        case .evaluate, .returnVisit:
            switch after.rating {
            case .satisfied: shared.satisfied = 1
            case .basicallySatisfied: shared.basicallySatisfied = 1
            case .unsatisfied: shared.unsatisfied = 1
            case nil: break
            }
        case .reopen:
            shared.reopened = 1
        case .close:
            shared.closed = 1
            shared.closedOnTime = inTime
        case .overdue:
            shared.overdue = firstOverdue ? 1 : 0
        default:
            break
        }
        t.place = t.place + shared
        // A return takes the case away from the department that returns it.
        let department = action == .returnCase ? before.leadDepartmentCode : after.leadDepartmentCode
        if let department {
            t.department = t.department + shared
            t.departmentCode = department
        }
        if t.department == CaseCounts() { t.departmentCode = nil }
        return t
    }
}
