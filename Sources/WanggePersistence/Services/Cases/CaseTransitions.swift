import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// A request to act on a case, as the API receives it.
public struct TransitionInput: Codable, Sendable {
    public var action: String
    /// The version the caller saw; a different current version means someone acted first (409).
    public var version: Int?
    public var note: String?
    public var categoryCode: String?
    public var departmentCode: String?
    public var coDepartmentCodes: [String]?
    public var gridCode: String?
    public var targetOrgCode: String?
    public var masterCode: String?
    public var rating: String?
    public var result: String?
    public var extensionHours: Int?

    public init(action: String, version: Int? = nil, note: String? = nil, categoryCode: String? = nil, departmentCode: String? = nil,
                coDepartmentCodes: [String]? = nil, gridCode: String? = nil, targetOrgCode: String? = nil, masterCode: String? = nil,
                rating: String? = nil, result: String? = nil, extensionHours: Int? = nil) {
        self.action = action
        self.version = version
        self.note = note
        self.categoryCode = categoryCode
        self.departmentCode = departmentCode
        self.coDepartmentCodes = coDepartmentCodes
        self.gridCode = gridCode
        self.targetOrgCode = targetOrgCode
        self.masterCode = masterCode
        self.rating = rating
        self.result = result
        self.extensionHours = extensionHours
    }
}

public struct CaseTransitionService: Sendable {
    public let db: any Database
    /// Where transitions that arrive together wait to be written together; without it each is written alone.
    public let commits: TransitionCommits?

    public init(db: any Database, commits: TransitionCommits? = nil) {
        self.db = db
        self.commits = commits
    }

    /// Loads a case the actor may see, or `notFound`, with how many photos it has and its last event's
    /// number read in the same statement: a transition asked for those in two more, each a round trip
    /// to PostgreSQL.
    public func load(code: String, for actor: Actor?) async throws -> (CaseModel, CaseSnapshot, CaseRelation) {
        guard let row = try await PlainReads.firstRow(CaseModel.self, where: "code", equals: code, counting: Self.loadedBeside, on: db)
        else { throw AppError.notFound("case") }
        let model = try row.decode(fluentModel: CaseModel.self)
        model.photoCount = try row.decode(column: CaseView.photos.alias, as: Int.self)
        model.lastEventSeq = try row.decode(column: Self.lastSeqRead.alias, as: Int?.self) ?? 0
        let snapshot = try model.snapshot
        let relation = CaseAccess.relation(of: actor, to: model, snapshot: snapshot)
        guard relation.canRead else { throw AppError.notFound("case") }
        return (model, snapshot, relation)
    }

    /// A case the actor may see, read for its page (`CaseView`), or `notFound`.
    public func view(code: String, for actor: Actor?) async throws -> (CaseView, CaseSnapshot, CaseRelation) {
        let (row, snapshot, relation) = try await readableRow(code: code, Self.viewByCode, for: actor)
        return (try CaseView(row: row), snapshot, relation)
    }

    /// The id of a case the actor may see and how many photos it has, or `notFound`, reading only what
    /// access needs (for the timeline, which shows events, not the case).
    public func readableID(code: String, for actor: Actor?) async throws -> (id: Int, photoCount: Int) {
        let (row, _, _) = try await readableRow(code: code, Self.accessByCode, for: actor)
        return (try row.decode(column: "id", as: Int.self), try row.decode(column: CaseView.photos.alias, as: Int.self))
    }

    private static let lastSeqRead = PlainReads.RelatedCount(CaseEventModel.schema, by: "case_id", as: "last_event_seq", aggregate: "max(\"seq\")")
    private static let loadedBeside = [CaseView.photos, lastSeqRead]

    private static let viewByCode = PlainReads.SelectWhere(CaseView.columns, from: CaseModel.schema, where: "code", orderedBy: nil, limit: 1,
                                                           counting: CaseView.photos)
    private static let accessByCode = PlainReads.SelectWhere(CaseModel.ancestorColumns + ["id", "snapshot"], from: CaseModel.schema, where: "code",
                                                             orderedBy: nil, limit: 1, counting: CaseView.photos)

    /// `load` for plain rows: a case read by `select` (whose columns must hold `snapshot` and the ancestor
    /// columns), its snapshot and the actor's relation, or `notFound` if they may not see it.
    private func readableRow(code: String, _ select: PlainReads.SelectWhere,
                             for actor: Actor?) async throws -> (any SQLRow, CaseSnapshot, CaseRelation) {
        guard let row = try await PlainReads.rows(select, equals: code, on: db).first else { throw AppError.notFound("case") }
        let snapshot = try CaseModel.snapshot(json: try row.decode(column: "snapshot", as: String.self))
        let relation = CaseAccess.relation(of: actor, place: try CaseModel.placeColumns(of: row), snapshot: snapshot)
        guard relation.canRead else { throw AppError.notFound("case") }
        return (row, snapshot, relation)
    }

    /// Performs one action: checks the rules, then in one transaction takes the case's version (so a
    /// concurrent actor loses with 409), updates the row and appends the event. `loaded` is the case
    /// as `load` just gave it for this actor, when the caller has it (the API loads it before reading
    /// the body): reading it again was a tenth of a transition's time. Gives the case as written, and
    /// its snapshot.
    public func perform(code: String, _ input: TransitionInput, actor: Actor?, relationOverride: CaseRelation? = nil,
                        loaded: (CaseModel, CaseSnapshot, CaseRelation)? = nil, photos: [StoredPhoto] = [], now: Date, sla: SLAContext,
                        notifier: (any Notifier)? = nil) async throws -> (model: CaseModel, snapshot: CaseSnapshot) {
        // Whether the case exists for this person is answered first, so nothing about a hidden case leaks.
        let (model, snapshot, loadedRelation): (CaseModel, CaseSnapshot, CaseRelation)
        if let loaded {
            (model, snapshot, loadedRelation) = loaded
        } else if let relationOverride {
            guard let found = try await CaseModel.query(on: db).filter(\.$code == code).first() else { throw AppError.notFound("case") }
            (model, snapshot, loadedRelation) = (found, try found.snapshot, relationOverride)
        } else {
            (model, snapshot, loadedRelation) = try await load(code: code, for: actor)
        }
        guard let action = CaseAction(rawValue: input.action), ![.report, .mergedIn, .overdue].contains(action) else {
            throw AppError.invalid("case.action", zh: "未知的操作「\(input.action)」。", en: "Unknown action \(input.action).", field: "action")
        }
        if let version = input.version, version != model.version {
            throw Self.stale
        }
        if photos.count > IntakeRules.maxPhotos {
            throw AppError.invalid("case.photos", zh: "最多上传 9 张照片。", en: "At most 9 photos.", field: "photos")
        }
        let (command, master) = try await resolve(input, action: action, model: model, snapshot: snapshot, actor: actor)
        let next = try CaseMachine.perform(snapshot, command, relation: loadedRelation, actorUsername: actor?.username ?? "reporter")

        var steps = [try await Self.step(model, command: command, from: snapshot, to: next, actor: actor, photos: photos, now: now, sla: sla,
                                         on: db) { model in
            if let master { model.masterCaseID = master.id }
        }]
        if let master {
            let masterSnapshot = try master.snapshot
            let mergedIn = CaseCommand(.mergedIn, note: model.code)
            let folded = try CaseMachine.apply(masterSnapshot, mergedIn, actorUsername: actor?.username ?? "")
            steps.append(try await Self.step(master, command: mergedIn, from: masterSnapshot, to: folded, actor: actor, photos: [], now: now,
                                             sla: sla, on: db))
        }
        let notices = try await NoticeRouter.notices(action, model: model, snapshot: next, on: db, now: now)
        guard try await write(PendingTransition(steps: steps, notices: notices.rows)) == .written else { throw Self.stale }
        await notifier?.deliver(notices.messages)
        // With the rules' view it was given: read back from the row's JSON, it was decoded a second time.
        return (model, next)
    }

    /// Writes a transition, with those that arrive with it when the service has a queue.
    func write(_ pending: PendingTransition) async throws -> TransitionOutcome {
        let db = db
        let write: @Sendable ([PendingTransition]) async throws -> [TransitionOutcome] = { group in
            try await db.writeRows { rows in try await TransitionWriter.write(group, into: rows) }
        }
        return if let commits {
            try await commits.submit(pending, write: write)
        } else {
            try await write([pending])[0]
        }
    }

    static let stale = AppError(.conflict, code: "case.stale",
                                zh: "该事件已被他人处理,请刷新后再试。",
                                en: "Someone else acted on this case first; reload and try again.")

    /// Builds a case's step: the event after the case's last, and the row as it stands after it.
    /// `prepare` changes the row before the step does (what the sweep and a merge set beside it);
    /// the model is left as the step writes it, for the answer. `gaugeBefore` is where the case
    /// weighed in the open-case gauges, when something already moved it.
    static func step(_ model: CaseModel, command: CaseCommand, from: CaseSnapshot, to next: CaseSnapshot, actor: Actor?,
                     photos: [StoredPhoto], now: Date, sla: SLAContext,
                     systemName: String = "群众", gaugeBefore: GaugeState? = nil, on db: any Database,
                     prepare: (CaseModel) -> Void = { _ in }) async throws -> CaseStep {
        let caseID = try model.requireID()
        let claimedVersion = model.version
        // Read with the case by `load`, or else after it: an event newer than its version comes with a
        // newer version, and the claim fails.
        let lastSeq = if let known = model.lastEventSeq { known } else { try await Self.lastSeq(of: caseID, on: db) }
        let gaugeBefore = gaugeBefore ?? GaugeState(model)
        let firstOverdue = command.action == .overdue
            ? try await CaseEventModel.query(on: db).filter(\.$caseID == caseID).filter(\.$action == CaseAction.overdue.rawValue).count() == 0
            : false
        var event: EventContent?
        var hash = ""
        func change() throws {
            prepare(model)
            if let grid = next.gridCode, grid != model.gridCode {
                // A grid chosen at registration places the case in the tree.
                model.ancestry = OrgCode.ancestry(of: grid)
            }
            let deadlines = model.deadlines.after(command.action, previous: from, at: now, policy: sla.policy(for: model), calendar: sla.calendar)
            let content = CaseEvents.content(seq: lastSeq + 1, action: command.action, from: from.state, to: next.state, actor: actor,
                                             anonymousName: systemName, note: command.note ?? command.result,
                                             payload: try CaseEventModel.payload(command), at: now, placeCode: model.ancestry.deepestCode,
                                             onTime: Tally.onTime(command.action, deadlinesAfter: deadlines))
            event = content
            hash = CaseEvents.chain(caseID: caseID, onto: &model.eventHash, tail: EventHashChain.tail(of: content))
            model.version += 1
            model.lastEventSeq = lastSeq + 1
            model.photoCount = model.photoCount.map { $0 + photos.count }
            try model.setSnapshot(next)
            try model.setDeadlines(deadlines, thresholds: sla.thresholds, calendar: sla.calendar)
            model.lastAction = command.action.rawValue
            model.updatedAt = now
            switch command.action {
            case .submitResult, .resolveOnSpot:
                model.result = command.result
                model.publicReply = command.result
            case .reject:
                model.publicReply = command.note
            case .close:
                model.closedAt = now
            case .reopen:
                model.closedAt = nil
            default:
                break
            }
        }
        #if DEBUG
        // The tests' check of `stepColumns` against Fluent's own account of what changed.
        var columns: [(name: String, value: BulkValue)] = []
        let fluentColumns = try PlainWrites.changedValues(of: model) { columns = try model.stepColumnsChanged(by: change) }
        guard columns.elementsEqual(fluentColumns, by: { $0.name == $1.name && $0.value == $1.value }) else {
            throw PlainWriteError.stepColumnsDisagree(fluent: fluentColumns.map(\.name), listed: columns.map(\.name))
        }
        #else
        let columns = try model.stepColumnsChanged(by: change)
        #endif
        guard let event else { throw PlainWriteError.unsupported("case_events") }
        let rollups = EventRollups.entries(for: event, before: from, after: next, channel: model.channel, firstOverdue: firstOverdue,
                                           timeZone: sla.calendar.timeZone)
        // The departments' rows follow the snapshot whenever its departments change: a dispatch writes
        // them, and a return or an escalation, which clears the assignment, removes them. Left behind,
        // they kept a returned case in the department's list, which it could no longer open.
        let departments: [(code: String, lead: Bool)]? = from.leadDepartmentCode == next.leadDepartmentCode
            && from.coDepartmentCodes == next.coDepartmentCodes
            ? nil
            : [next.leadDepartmentCode].compactMap { $0 }.map { ($0, true) } + next.coDepartmentCodes.map { ($0, false) }
        return CaseStep(caseID: caseID, claimedVersion: claimedVersion, columns: columns, event: event.columns(caseID: caseID, hash: hash),
                        seq: event.seq, rollups: RollupKeys.merged(rollups), gauge: (gaugeBefore, GaugeState(model)), photos: photos, at: now,
                        departments: departments)
    }

    /// The sequence number of a case's last event: one plain statement, where Fluent's aggregate
    /// built a query builder and an event model to ask it (a tenth of a transition's time).
    static func lastSeq(of caseID: Int, on db: any Database) async throws -> Int {
        let statement: SQLQueryString = "SELECT MAX(seq) AS last FROM \(ident: CaseEventModel.schema) WHERE case_id = \(bind: caseID)"
        return try await PlainReads.rows(statement, on: db).first?.decode(column: "last", as: Int?.self) ?? 0
    }

    /// Turns the request into a command the rules can check, looking up and validating what it names;
    /// for a merge, also the master case it names, as read to check it.
    func resolve(_ input: TransitionInput, action: CaseAction, model: CaseModel, snapshot: CaseSnapshot,
                 actor: Actor?) async throws -> (command: CaseCommand, master: CaseModel?) {
        var master: CaseModel?
        var command = CaseCommand(action, note: try Self.text(input.note, field: "note"), result: try Self.text(input.result, field: "result"),
                                  extensionHours: input.extensionHours)
        if let raw = input.rating {
            guard let rating = Rating(rawValue: raw) else {
                throw AppError.invalid("case.rating", zh: "评价须为 satisfied、basically_satisfied 或 unsatisfied。",
                                       en: "Rating is satisfied, basically_satisfied or unsatisfied.", field: "rating")
            }
            command.rating = rating
        }
        if let category = Self.clean(input.categoryCode, max: 20), [.register, .dispatch].contains(action) {
            guard try await CategoryModel.query(on: db).filter(\.$code == category).count() > 0 else {
                throw AppError.invalid("case.category", zh: "未知的问题类别「\(category)」。", en: "Unknown category \(category).", field: "categoryCode")
            }
            command.categoryCode = category
        }
        switch action {
        case .register:
            if let grid = Self.clean(input.gridCode, max: 30) {
                guard OrgCode.level(of: grid) == .grid, actor?.canSee(OrgCode.ancestry(of: grid)) == true,
                      try await OrgUnitModel.query(on: db).filter(\.$code == grid).count() > 0 else {
                    throw AppError.invalid("case.grid", zh: "网格 \(grid) 不存在或不在您的辖区内。", en: "Grid \(grid) is not in your area.", field: "gridCode")
                }
                command.gridCode = grid
            }
        case .dispatch:
            if let department = Self.clean(input.departmentCode, max: 40) {
                try await requireDepartment(department, field: "departmentCode")
                command.departmentCode = department
            }
            var co: [String] = []
            for code in input.coDepartmentCodes ?? [] where !code.isEmpty {
                try await requireDepartment(code, field: "coDepartmentCodes")
                co.append(code)
            }
            command.coDepartmentCodes = co
            if let grid = Self.clean(input.gridCode, max: 30) {
                guard OrgCode.level(of: grid) == .grid, actor?.canSee(OrgCode.ancestry(of: grid)) == true,
                      try await OrgUnitModel.query(on: db).filter(\.$code == grid).count() > 0 else {
                    throw AppError.invalid("case.grid", zh: "网格 \(grid) 不存在或不在您的辖区内。", en: "Grid \(grid) is not in your area.", field: "gridCode")
                }
                command.gridCode = grid
            }
        case .escalate:
            // 提级: the parent of the current centre, as long as the actor's area reaches it.
            if let parent = OrgCode.parent(of: snapshot.centreOrgCode), OrgCode.level(of: parent) != .city || actor?.orgLevel == .city {
                command.targetOrgCode = parent
            }
        case .pushDown:
            guard let target = Self.clean(input.targetOrgCode, max: 30), let level = OrgCode.level(of: target),
                  level == .township || level == .village,
                  target.hasPrefix(snapshot.centreOrgCode), target != snapshot.centreOrgCode,
                  try await OrgUnitModel.query(on: db).filter(\.$code == target).count() > 0 else {
                throw AppError.invalid("case.push_down", zh: "下派目标须为当前中心下属的乡镇街道或村社区。",
                                       en: "Push down to a township or village under the current centre.", field: "targetOrgCode")
            }
            command.targetOrgCode = target
        case .merge:
            guard let masterCode = Self.clean(input.masterCode, max: 40), masterCode != model.code,
                  let found = try await CaseModel.query(on: db).filter(\.$code == masterCode).first(),
                  found.caseState.isOpen, found.caseState != .reported,
                  CaseAccess.relation(of: actor, to: found, snapshot: try found.snapshot).canRead
            else {
                throw AppError.invalid("case.master", zh: "主事件不存在、已办结或尚未立案。",
                                       en: "The master case does not exist, is finished, or is not registered yet.", field: "masterCode")
            }
            command.masterCode = masterCode
            master = found
        default:
            break
        }
        return (command, master)
    }

    func requireDepartment(_ code: String, field: String) async throws {
        guard try await DepartmentModel.query(on: db).filter(\.$code == code).filter(\.$active == true).count() > 0 else {
            throw AppError.invalid("case.department", zh: "部门 \(code) 不存在。", en: "No department \(code).", field: field)
        }
    }

    /// Free text up to 2,000 characters; longer is refused, never cut.
    static func text(_ raw: String?, field: String) throws -> String? {
        guard let text = raw?.trimmed(), !text.isEmpty else { return nil }
        guard text.count <= 2000 else {
            throw AppError.invalid("case.\(field)_long", zh: "内容不能超过 2000 个字。", en: "At most 2,000 characters.", field: field)
        }
        return text
    }

    static func clean(_ raw: String?, max: Int) -> String? {
        guard let text = raw?.trimmed(), !text.isEmpty else { return nil }
        return String(text.prefix(max))
    }
}
