/// The closed loop's rules: who may do what in which state, and what each action changes.
/// Pure: the service loads the case, asks `perform`, and writes the result with one event.
public enum CaseMachine {
    /// The states an action may start from; `nil` for actions allowed in every open state.
    public static func sourceStates(_ action: CaseAction) -> Set<CaseState>? {
        switch action {
        case .report: []
        case .register, .reject, .resolveOnSpot: [.reported]
        case .merge: [.reported, .registered]
        case .pushDown: [.reported, .registered]
        case .dispatch: [.registered]
        case .accept: [.dispatched]
        case .returnCase, .requestEscalation, .coHandle: [.dispatched, .inProgress]
        case .requestExtension, .submitResult: [.inProgress]
        case .approveExtension, .denyExtension: [.dispatched, .inProgress]
        case .escalate: [.reported, .registered, .dispatched, .inProgress]
        case .verifyPass, .verifyFail: [.handled]
        case .evaluate, .returnVisit: [.verified]
        case .reopen: [.evaluated]
        case .close: [.verified, .evaluated]
        case .archive: [.closed]
        case .remind, .supervise, .mergedIn, .overdue: nil
        case .note: Set(CaseState.allCases)
        }
    }

    /// Who may perform an action; the machine also applies the extra rules below (e.g. the result's
    /// author may not verify it).
    public static func permittedRelations(_ action: CaseAction) -> CaseRelation {
        switch action {
        case .report, .mergedIn, .overdue: []
        case .register, .reject, .merge, .dispatch, .approveExtension, .denyExtension, .escalate, .pushDown,
             .returnVisit, .reopen, .close, .archive:
            .dispatcherInCharge
        case .accept, .returnCase, .requestExtension, .requestEscalation, .submitResult: .assignee
        case .coHandle: .coHandler
        case .resolveOnSpot: .caseGridWorker
        case .verifyPass, .verifyFail: [.dispatcherInCharge, .caseGridWorker, .villageGridWorker]
        case .evaluate: .reporter
        case .remind, .supervise: [.dispatcherInCharge, .leader]
        case .note: [.dispatcherInCharge, .leader, .leadHandler, .coHandler, .assignedGridWorker, .caseGridWorker]
        }
    }

    public static func canStart(_ action: CaseAction, from state: CaseState) -> Bool {
        startableFrom[state]?.contains(action) ?? false
    }

    /// Actions the person may take now, for the case page's buttons and the API's `allowedActions`.
    public static func allowedActions(_ snapshot: CaseSnapshot, relation: CaseRelation) -> [CaseAction] {
        (startableFrom[snapshot.state] ?? []).filter { action in
            extraRulesHold(snapshot, action) && refusal(snapshot, action, relation: relation) == nil
        }
    }

    /// The actions that can start from each state (`sourceStates`, or any open state), in `CaseAction`'s
    /// order, worked out once: every case page asks about every action, and every event applied (a
    /// transition, a replay, each generated event) asks about one; each answer built a set of states.
    private static let startableFrom = Dictionary(uniqueKeysWithValues: CaseState.allCases.map { state in
        (state, CaseAction.allCases.filter { action in sourceStates(action).map { $0.contains(state) } ?? state.isOpen })
    })

    /// Checks the person's right to act (403) and the state (409), then applies the command.
    public static func perform(_ snapshot: CaseSnapshot, _ command: CaseCommand, relation: CaseRelation,
                               actorUsername: String) throws -> CaseSnapshot {
        try authorize(snapshot, command, relation: relation)
        return try apply(snapshot, command, actorUsername: actorUsername)
    }

    public static func authorize(_ snapshot: CaseSnapshot, _ command: CaseCommand, relation: CaseRelation) throws {
        if let refusal = refusal(snapshot, command.action, relation: relation) { throw refusal.error(command.action) }
    }

    /// Why this person may not take this action, or nil when they may. Kept apart from its error so
    /// that `allowedActions` asks about every action without building messages it throws away.
    enum Refusal {
        case role, verifyOwn, verifyOther

        func error(_ action: CaseAction) -> AppError {
            switch self {
            case .role:
                AppError(.forbidden, code: "case.role", zh: "您无权对此事件执行「\(action.nameZH)」。",
                         en: "You may not \(action.nameEN.lowercased()) this case.")
            case .verifyOwn:
                AppError(.forbidden, code: "case.verify_own", zh: "处置人不能核查自己办理的事件。", en: "The handler may not verify their own work.")
            case .verifyOther:
                AppError(.forbidden, code: "case.role", zh: "您无权核查此事件。", en: "You may not verify this case.")
            }
        }
    }

    static func refusal(_ snapshot: CaseSnapshot, _ action: CaseAction, relation: CaseRelation) -> Refusal? {
        guard !permittedRelations(action).isDisjoint(with: relation) else { return .role }
        if action == .verifyPass || action == .verifyFail {
            // 核查 must be done by someone other than the person who did the work.
            if relation.contains(.resultAuthor) { return .verifyOwn }
            // A worker of another grid verifies only a grid worker's on-the-spot resolution.
            if relation.isDisjoint(with: [.dispatcherInCharge, .caseGridWorker]), !snapshot.resolvedOnSpot { return .verifyOther }
        }
        return nil
    }

    static func extraRulesHold(_ s: CaseSnapshot, _ action: CaseAction) -> Bool {
        switch action {
        case .approveExtension, .denyExtension: s.extensionRequested
        case .requestExtension: !s.extensionRequested
        case .reopen: s.rating == .unsatisfied
        case .escalate: true
        default: true
        }
    }

    /// What an action does to a case, without asking who acts: used by `perform` and to replay the
    /// event log.
    public static func apply(_ snapshot: CaseSnapshot, _ command: CaseCommand, actorUsername: String) throws -> CaseSnapshot {
        var s = snapshot
        let action = command.action
        guard canStart(action, from: s.state) else {
            throw AppError(.conflict, code: "case.state",
                           zh: "事件当前为「\(s.state.nameZH)」,不能执行「\(action.nameZH)」。",
                           en: "The case is \(s.state.nameEN.lowercased()); \(action.nameEN.lowercased()) is not possible now.")
        }
        func require(_ value: String?, _ field: String, zh: String, en: String) throws -> String {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw AppError.invalid("case.\(field)_required", zh: zh, en: en, field: field)
            }
            return value
        }
        switch action {
        case .report:
            break
        case .register:
            if let category = command.categoryCode { s.categoryCode = category }
            if let grid = command.gridCode { s.gridCode = grid }
            s.state = .registered
        case .reject:
            _ = try require(command.note, "note", zh: "不予受理须填写理由(群众可见)。", en: "A rejection needs a reason the reporter will see.")
            s.state = .rejected
        case .merge:
            s.masterCode = try require(command.masterCode, "masterCode", zh: "请指定主事件编号。", en: "Give the master case code.")
            s.state = .merged
        case .mergedIn:
            s.counters.merged += 1
        case .overdue:
            break
        case .dispatch:
            let department = command.departmentCode.flatMap { $0.isEmpty ? nil : $0 }
            let grid = command.gridCode.flatMap { $0.isEmpty ? nil : $0 }
            guard (department == nil) != (grid == nil) else {
                throw AppError.invalid("case.dispatch_target", zh: "请选择一个主办部门,或一个网格(二选一)。",
                                       en: "Dispatch to either one lead department or one grid.", field: "departmentCode")
            }
            let co = (command.coDepartmentCodes ?? []).filter { !$0.isEmpty && $0 != department }
            if grid != nil, !co.isEmpty {
                throw AppError.invalid("case.dispatch_co", zh: "派给网格时不能设置协办部门。",
                                       en: "Co-handling departments go with a lead department, not a grid.", field: "coDepartmentCodes")
            }
            if let category = command.categoryCode { s.categoryCode = category }
            s.leadDepartmentCode = department
            s.coDepartmentCodes = Array(Set(co)).sorted()
            s.assignedGridCode = grid
            s.handlerUsername = nil
            s.state = .dispatched
        case .accept:
            s.handlerUsername = actorUsername
            s.state = .inProgress
        case .returnCase:
            _ = try require(command.note, "note", zh: "退回须说明理由。", en: "A return needs a reason.")
            s.counters.returns += 1
            clearAssignment(&s)
            s.state = .registered
        case .requestExtension:
            _ = try require(command.note, "note", zh: "延期申请须说明理由。", en: "An extension request needs a reason.")
            guard let hours = command.extensionHours, (1...24 * 90).contains(hours) else {
                throw AppError.invalid("case.extension_hours", zh: "请填写延期时长(1–2160 小时)。",
                                       en: "Give the extension in hours (1–2160).", field: "extensionHours")
            }
            guard !s.extensionRequested else {
                throw AppError(.conflict, code: "case.extension_pending", zh: "已有待审批的延期申请。", en: "An extension request is already pending.")
            }
            s.extensionRequested = true
            s.requestedExtensionHours = hours
        case .approveExtension, .denyExtension:
            guard s.extensionRequested else {
                throw AppError(.conflict, code: "case.no_extension", zh: "没有待审批的延期申请。", en: "No extension request is pending.")
            }
            if action == .approveExtension {
                s.extensionsGranted += 1
                s.extensionHoursGranted += s.requestedExtensionHours ?? 0
            }
            s.extensionRequested = false
            s.requestedExtensionHours = nil
        case .requestEscalation:
            _ = try require(command.note, "note", zh: "提级申请须说明理由。", en: "An escalation request needs a reason.")
            s.escalationRequested = true
        case .escalate:
            s.centreOrgCode = try require(command.targetOrgCode, "targetOrgCode", zh: "没有可提级的上级单位。",
                                          en: "There is no higher level to escalate to.")
            s.counters.escalations += 1
            s.escalationRequested = false
            clearAssignment(&s)
            if s.state != .reported { s.state = .registered }
        case .pushDown:
            s.centreOrgCode = try require(command.targetOrgCode, "targetOrgCode", zh: "请选择下派的下级单位。",
                                          en: "Choose the lower level to push the case down to.")
            s.counters.pushDowns += 1
        case .coHandle:
            _ = try require(command.note, "note", zh: "请填写协办情况。", en: "Describe the co-handling work.")
        case .submitResult, .resolveOnSpot:
            _ = try require(command.result, "result", zh: "请填写处置结果。", en: "Describe the result.")
            s.resultBy = actorUsername
            if action == .resolveOnSpot {
                s.resolvedOnSpot = true
                s.handlerUsername = actorUsername
                s.assignedGridCode = s.gridCode
            }
            s.state = .handled
        case .verifyPass:
            s.state = .verified
        case .verifyFail:
            _ = try require(command.note, "note", zh: "核查不通过须说明原因。", en: "A failed verification needs a reason.")
            s.counters.reworks += 1
            s.state = .inProgress
        case .evaluate, .returnVisit:
            guard let rating = command.rating else {
                throw AppError.invalid("case.rating_required", zh: "请选择满意、基本满意或不满意。",
                                       en: "Choose satisfied, basically satisfied or unsatisfied.", field: "rating")
            }
            s.rating = rating
            s.state = .evaluated
        case .reopen:
            guard s.rating == .unsatisfied else {
                throw AppError(.conflict, code: "case.reopen_satisfied", zh: "只有评价为不满意的事件才能重新办理。",
                               en: "Only a case rated unsatisfied can be reopened.")
            }
            s.counters.reopens += 1
            s.rating = nil
            s.resultBy = nil
            s.state = s.isAssigned ? .dispatched : .registered
        case .close:
            if s.state == .verified {
                _ = try require(command.note, "note", zh: "未经评价结案须说明原因(如无法回访)。",
                                en: "Closing without an evaluation needs a reason (e.g. the reporter cannot be reached).")
            }
            s.state = .closed
        case .archive:
            s.state = .archived
        case .remind:
            s.counters.reminders += 1
        case .supervise:
            s.counters.supervisions += 1
        case .note:
            _ = try require(command.note, "note", zh: "备注不能为空。", en: "A note cannot be empty.")
        }
        return s
    }

    static func clearAssignment(_ s: inout CaseSnapshot) {
        s.leadDepartmentCode = nil
        s.coDepartmentCodes = []
        s.assignedGridCode = nil
        s.handlerUsername = nil
        s.extensionRequested = false
        s.requestedExtensionHours = nil
    }

    /// Rebuilds a case from its log: the first event's snapshot, then every command in order.
    public static func replay(initial: CaseSnapshot, events: [(command: CaseCommand, actorUsername: String)]) throws -> CaseSnapshot {
        try events.reduce(initial) { try apply($0, $1.command, actorUsername: $1.actorUsername) }
    }
}
