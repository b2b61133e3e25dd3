import Foundation
import WanggeDomain
import WanggePersistence

/// What every batch of generated cases draws on, read-only, so batches can be made in parallel.
struct GeneratorPlan: Sendable {
    static let channels: [(WanggeDomain.Channel, Int)] = [(.citizen, 45), (.patrol, 25), (.hotline, 20), (.window, 5), (.petition, 5)]
    /// Ratings in a hundred, as the seeds' counties report them (满意率 95–99.5%): three in five
    /// satisfied made every generated county's 满意率 76%.
    static let ratings: [Rating] = Array(repeating: .satisfied, count: 90) + Array(repeating: .basicallySatisfied, count: 7)
        + Array(repeating: .unsatisfied, count: 3)
    /// The path every case walks, cut short where its final state is.
    static let fullPath: [CaseAction] = [.register, .dispatch, .accept, .submitResult, .verifyPass, .evaluate, .close, .archive]

    let grids: [String]
    let workers: [String]
    let centres: [GeoPoint]
    let categories: [DemoCounty.Category]
    let seed: UInt64
    /// How many cases the run makes: case ids follow their creation time, as in a live installation.
    let total: Int
    let now: Date
    let timeZone: TimeZone
    let sla: SLAContext
    /// The installation's: generated cases' query codes carry their ids as intake's do (thrown away, as
    /// nobody reported them, but stored as intake stores them, in id order).
    let queryCodes: QueryCodeCipher
    /// How long a case stays red before the sweep escalates it (`WANGGE_ESCALATE_AFTER_HOURS`).
    let escalateAfter: TimeInterval
    /// The history's length: the first case was reported this long before `now`.
    let span: TimeInterval
    let categoryIndex: [String: Int16]
    let departmentIndex: [String: Int16]

    var categoryCodes: [String] { categories.map(\.code) + [RollupKeys.uncategorised] }
    var channelCodes: [String] { WanggeDomain.Channel.allCases.map(\.rawValue) }
    var departmentCodes: [String] { DemoCounty.departments.filter { $0.orgCode == "330110" }.map(\.code) }

    init(grids: [String], seed: UInt64, total: Int, now: Date, timeZone: TimeZone, sla: SLAContext, queryCodes: QueryCodeCipher,
         escalateAfter: TimeInterval = 24 * 3600, days: Int = CaseGenerator.defaultDays) {
        self.grids = grids
        self.queryCodes = queryCodes
        workers = grids.indices.map { "grid\($0 + 1)" }
        let columns = CaseGenerator.villagesPerTownship * CaseGenerator.gridsPerVillage / 2
        let lattice = DemoGeometry.lattice(columns: columns, rows: CaseGenerator.townships * 2, origin: GeoPoint(lon: 120.0, lat: 30.2),
                                           cellLon: 0.006, cellLat: 0.005, jitter: 0.001, seed: 7)
        centres = grids.indices.map { i in lattice[i % columns][i / columns].bbox.center }
        categories = DemoCounty.categories.filter { $0.parentCode != nil }
        self.seed = seed
        self.total = total
        self.now = now
        self.timeZone = timeZone
        self.sla = sla
        self.escalateAfter = escalateAfter
        span = TimeInterval(max(days, 1)) * 86400
        var categoryIndex: [String: Int16] = [:]
        for (i, code) in (categories.map(\.code) + [RollupKeys.uncategorised]).enumerated() { categoryIndex[code] = Int16(i) }
        self.categoryIndex = categoryIndex
        var departmentIndex: [String: Int16] = [:]
        for (i, code) in DemoCounty.departments.filter({ $0.orgCode == "330110" }).map(\.code).enumerated() { departmentIndex[code] = Int16(i) }
        self.departmentIndex = departmentIndex
    }

    /// Per-batch memo of texts that repeat across cases (JSON of parameterless commands, search terms).
    /// Commands are written as transitions write them (`CaseEventModel.payload`); a snapshot (the report
    /// event's payload and the case's column) and the clocks as intake writes them (`CaseModel.stored`).
    struct Memo {
        var commandJSON: [String: String] = [:]
        var searchTexts: [String: String?] = [:]

        mutating func json(_ command: CaseCommand) throws -> String {
            let key = "\(command.action.rawValue)|\(command.departmentCode ?? "")|\(command.coDepartmentCodes?.joined(separator: ",") ?? "")|\(command.rating?.rawValue ?? "")|\(command.result ?? "")|\(command.note ?? "")|\(command.targetOrgCode ?? "")"
            if let text = commandJSON[key] { return text }
            let text = try CaseEventModel.payload(command)
            commandJSON[key] = text
            return text
        }

        /// The description's search terms as the search index's queue holds them (`CaseSearchTerms.queued`);
        /// nil for a description without terms.
        mutating func searchText(_ description: String) -> String? {
            if let text = searchTexts[description] { return text }
            // Generated cases have no address.
            let text = CaseSearchTerms.queued(description: description, address: nil)
            searchTexts[description] = text
            return text
        }
    }

    func batch(index: Int, firstID: Int, count: Int) throws -> GeneratedBatch {
        // SplitMix64 walks its state by a fixed step, so seeds one step apart would give the same stream
        // shifted by one; a mixed seed puts each batch at an unrelated place in the sequence.
        var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var random = SplitMix64(seed: mixer.next())
        var memo = Memo()
        var out = GeneratedBatch()
        out.cases.reserveCapacity(count * Self.caseColumns.count)
        out.events.reserveCapacity(count * 9 * Self.eventColumns.count)
        for id in firstID..<(firstID + count) {
            try makeCase(id, &random, &memo, into: &out)
        }
        return out
    }

    /// One dispatched case in ten is shared with the next department (协办), so the handlers' shared
    /// rows and co-handling queues have something in them. Chosen by the id, not drawn, so every other
    /// case stays as the same seed made it before.
    private func sharedWith(_ id: Int, lead: String) -> [String]? {
        let departments = departmentCodes
        guard id % 10 == 0, let index = departments.firstIndex(of: lead), departments.count > 1 else { return nil }
        return [departments[(index + 1) % departments.count]]
    }

    // swiftlint:disable:next function_body_length
    private func makeCase(_ id: Int, _ random: inout SplitMix64, _ memo: inout Memo, into out: inout GeneratedBatch) throws {
        let gridIndex = Int(random.next() % UInt64(grids.count))
        let grid = grids[gridIndex]
        let centre = centres[gridIndex]
        let point = GeoPoint(lon: centre.lon + (random.nextUnit() - 0.5) * 0.002, lat: centre.lat + (random.nextUnit() - 0.5) * 0.0015)
        let category = random.pick(categories)
        // Each case at a random moment of its own slot of the history: ids and case codes grow
        // with time as they do live, so a batch adds to the end of the code index, not all over it.
        let slot = (Double(id - 1) + random.nextUnit()) / Double(max(total, 1))
        let created = EventHashChain.normalise(now.addingTimeInterval(-(1 - slot) * span))
        var weight = Int(random.next() % 100)
        var channel = WanggeDomain.Channel.citizen
        for (c, w) in Self.channels { if weight < w { channel = c; break }; weight -= w }
        let description = DemoReportText.text(category: category.name, channel: channel, using: &random)
        let age = now.timeIntervalSince(created)
        // Every case goes the whole way, as far as the present lets it; of the last month's, one in
        // twenty stops where its holder left it, a backlog that turns red and is escalated.
        let rejected = random.nextUnit() < 0.04
        let stuck = age <= 30 * 86400 && random.nextUnit() < Self.stuckShare
        let path = detours(&random)
        let steps = stuck ? Int(random.next() % UInt64(path.count)) : path.count
        let ancestry = OrgCode.ancestry(of: grid)
        let department = category.defaultDepartmentCode ?? "330110-CG"
        let worker = workers[gridIndex]
        let byWorker = channel == .patrol
        var snapshot = CaseSnapshot(centreOrgCode: ancestry.townshipCode!, gridCode: grid, categoryCode: category.code,
                                    reporterUsername: byWorker ? worker : nil)
        let urgency = random.nextUnit() < 0.1 ? Urgency.urgent : .normal
        let policy = sla.policies.policy(category: category.code, urgency: urgency)
        var deadlines = CaseDeadlines.atIntake(created, policy: policy, calendar: sla.calendar)
        func command(_ action: CaseAction) -> CaseCommand {
            switch action {
            case .reject: CaseCommand(.reject, note: "不属于受理范围")
            case .dispatch: CaseCommand(.dispatch, departmentCode: department, coDepartmentCodes: sharedWith(id, lead: department))
            case .submitResult: CaseCommand(.submitResult, result: "已处理完毕")
            case .returnCase: CaseCommand(.returnCase, note: "需补充现场照片后重新派遣")
            case .requestExtension: CaseCommand(.requestExtension, note: "需协调多个部门,申请延期", extensionHours: 48)
            case .verifyFail: CaseCommand(.verifyFail, note: "现场核查未整改到位")
            case .evaluate: CaseCommand(.evaluate, rating: random.pick(Self.ratings))
            default: CaseCommand(action)
            }
        }
        var commands = (rejected ? [.reject] : Array(path.prefix(steps))).map(command)
        let categoryIndex = self.categoryIndex[category.code] ?? -1
        let channelIndex = Int8(WanggeDomain.Channel.allCases.firstIndex(of: channel)!)
        func record(_ tally: EventTally, at: Date, byGridWorker: Bool) {
            guard !tally.isEmpty else { return }
            out.tallies.append(TallyRecord(tally: tally, grid: Int32(gridIndex), category: categoryIndex, channel: channelIndex,
                                           department: tally.departmentCode.flatMap { departmentIndex[$0] } ?? -1,
                                           byGridWorker: byGridWorker, day: Int32(RollupKeys.localDay(at, timeZone: timeZone))))
        }

        // The report, then each command: (action, from, to, payload, at, actor name, role, note, on time).
        var previous = ""
        var seq = 0
        func event(_ action: CaseAction, _ from: CaseState?, _ to: CaseState, _ payload: String, _ at: Date, _ role: String,
                   _ note: String?, _ onTime: Bool?) {
            seq += 1
            let username: String? = role == "dispatcher" ? "dispatcher" : role == "handler" ? "handler-\(department.lowercased())"
                : role == "grid_worker" ? worker : nil
            let name = role == "handler" ? "处置人员" : role == "anonymous" ? "群众" : role == "grid_worker" ? "网格员\(gridIndex + 1)"
                : role == "system" ? SLASweep.systemActorName : "调度员"
            let orgCode: String? = role == "grid_worker" ? grid : nil
            let departmentCode: String? = role == "handler" ? department : nil
            let isPublic = action.isPublic
            let hash = EventHashChain.hash(fields: [previous, String(id), String(seq), action.rawValue, from?.rawValue ?? "", to.rawValue,
                                                    username ?? "", name, role, orgCode ?? "", departmentCode ?? "", note ?? "",
                                                    isPublic ? "1" : "0", payload, String(Int64((at.timeIntervalSince1970 * 1000).rounded()))]
                                           + EventHashChain.assessmentFields(placeCode: grid, onTime: onTime))
            previous = hash
            out.events += [.int(id), .int(seq), .text(action.rawValue), .text(from?.rawValue), .text(to.rawValue), .text(username), .text(name),
                           .text(role), .text(orgCode), .text(departmentCode), .text(note), .bool(isPublic), .text(payload), .date(at),
                           .text(hash), .text(grid), .bool(onTime)]
        }

        event(.report, nil, .reported, try CaseModel.stored(snapshot), created, byWorker ? "grid_worker" : "anonymous", nil, nil)
        record(Tally.count(.report, before: snapshot, after: snapshot, onTime: nil, firstOverdue: false, byGridWorker: byWorker),
               at: created, byGridWorker: byWorker)
        var time = created
        var lastAction = CaseAction.report
        var lamp = Lamp()
        var closedAt: Date?
        /// One step, as a transition takes it: the command applied, the clocks moved (a new running
        /// clock puts the red lamp out), counted and written.
        func take(_ command: CaseCommand, at: Date, role: String, actor: String) throws {
            let before = snapshot
            snapshot = try CaseMachine.apply(before, command, actorUsername: actor)
            let dueBefore = before.state.isOpen ? deadlines.nextDue : nil
            deadlines = deadlines.after(command.action, previous: before, at: at, policy: policy, calendar: sla.calendar)
            lamp.follow(due: dueBefore, to: snapshot.state.isOpen ? deadlines.nextDue : nil)
            let onTime = Tally.onTime(command.action, deadlinesAfter: deadlines)
            record(Tally.count(command.action, before: before, after: snapshot, onTime: onTime, firstOverdue: false, byGridWorker: false),
                   at: at, byGridWorker: false)
            event(command.action, before.state, snapshot.state, try memo.json(command), at, role, command.note ?? command.result, onTime)
            (time, lastAction) = (at, command.action)
            // When it was closed, as a transition keeps it; archiving later leaves it.
            if command.action == .close { closedAt = at }
        }
        /// What the SLA sweep would have done to the open case by `until`: marked it overdue within a
        /// minute of its running clock's deadline, escalated it to the centre above `escalateAfter` later
        /// (or only noted that it could not be). Stops after an escalation, which gives the case a new
        /// holder and path; returns whether it escalated. Without this a server started on a generated
        /// county found 22,000 cases to mark at a million, 500 a sweep, its overdue gauges said none while
        /// the overview counted them red, and a finished case's late steps had no mark before them.
        func sweep(until: Date) throws -> Bool {
            while snapshot.state.isOpen, let due = deadlines.nextDue {
                if lamp.overdueAt == nil {
                    let marked = EventHashChain.normalise(max(due, time).addingTimeInterval(1 + random.nextUnit() * 59))
                    guard marked <= until else { return false }
                    let command = SLASweep.overdueCommand(due: due)
                    record(Tally.count(.overdue, before: snapshot, after: snapshot, onTime: nil, firstOverdue: !lamp.sawOverdue, byGridWorker: false),
                           at: marked, byGridWorker: false)
                    event(.overdue, snapshot.state, snapshot.state, try memo.json(command), marked, "system", command.note, nil)
                    (lamp.overdueAt, lamp.sawOverdue, time, lastAction) = (marked, true, marked, .overdue)
                } else if !lamp.autoEscalated, let marked = lamp.overdueAt {
                    let at = EventHashChain.normalise(marked.addingTimeInterval(escalateAfter + 1 + random.nextUnit() * 59))
                    guard at <= until else { return false }
                    lamp.autoEscalated = true
                    guard let command = SLASweep.escalationCommand(for: snapshot) else { return false }
                    try take(command, at: at, role: "system", actor: "")
                    return true
                } else {
                    return false
                }
            }
            return false
        }

        var next = 0
        while next < commands.count {
            let at = EventHashChain.normalise(stepTime(after: time, due: deadlines.nextDue, &random))
            // A recent case's trail stops at the present: a step that would come later has not happened yet.
            if at > now { break }
            // What the SLA sweep did before the step came: marked a clock that ran out, escalated a case red for a day.
            if try sweep(until: at) { continue }
            // An escalation withdrew a pending extension request: there is nothing left to approve.
            if lamp.autoEscalated, commands[next].action == .approveExtension, !snapshot.extensionRequested {
                commands.remove(at: next)
                continue
            }
            // Escalated, the county holds it registered again: its path goes on from there, step by step
            // of the usual path until the planned one can be taken.
            if lamp.autoEscalated, !CaseMachine.canStart(commands[next].action, from: snapshot.state) {
                guard let forward = Self.fullPath.first(where: { CaseMachine.canStart($0, from: snapshot.state) }) else { break }
                commands.insert(command(forward), at: next)
            }
            let command = commands[next]
            next += 1
            let role = switch command.action {
            case .accept, .returnCase, .requestExtension, .submitResult: "handler"
            case .evaluate: "anonymous"
            default: "dispatcher"
            }
            try take(command, at: at, role: role, actor: "dispatcher")
        }
        // And what it has done by now to a case still open; after an escalation, the new holder's clock may run out too.
        while try sweep(until: now) {}
        let (overdueAt, autoEscalated) = (lamp.overdueAt, lamp.autoEscalated)

        let state = snapshot.state
        let open = state.isOpen
        let clocks = try ClockColumns(deadlines, open: open, thresholds: sla.thresholds, calendar: sla.calendar)
        let hasResult = snapshot.resultBy != nil
        let isHotline = channel == .hotline
        let queryHash = QueryCodeHash.issue(.issued(random: random.next()), caseID: id, cipher: queryCodes).stored
        out.created.append(created)
        out.cases += [.int(id), .null, .text(queryHash), .text(channel.rawValue), .text(description), .text(category.code), .text(urgency.rawValue),
                      .double(point.lat), .double(point.lon), .null, .bool(false), .text(ancestry.cityCode), .text(ancestry.countyCode),
                      .text(ancestry.townshipCode), .text(ancestry.villageCode), .text(grid), .null, .null, .bool(channel != .patrol),
                      .text(snapshot.reporterUsername), .text(isHotline ? "12345" : nil), .text(isHotline ? "12345-\(id)" : nil),
                      .text(channel == .petition ? "visit" : nil), .text(state.rawValue), .int(seq), .text(try CaseModel.stored(snapshot)),
                      .text(snapshot.centreOrgCode), .text(snapshot.leadDepartmentCode), .text(snapshot.assignedGridCode),
                      .text(hasResult ? "已处理完毕" : nil), .text(hasResult ? "已处理完毕" : nil), .text(snapshot.rating?.rawValue), .null,
                      .text(lastAction.rawValue), .text(snapshot.resultBy), .bool(snapshot.extensionRequested),
                      .int(snapshot.counters.returns), .int(snapshot.counters.reworks), .int(snapshot.counters.reminders), .int(snapshot.counters.supervisions),
                      .date(created), .date(time), .date(closedAt), .text(clocks.json), .date(clocks.dueAt),
                      .date(clocks.blueAt), .date(clocks.yellowAt), .date(overdueAt), .bool(autoEscalated), .null, .text(previous)]
        out.gauges.append(GaugeState(placeCode: grid, departmentCode: snapshot.leadDepartmentCode, state: state, overdue: overdueAt != nil))
        if let lead = snapshot.leadDepartmentCode { out.departments += [.int(id), .text(lead), .bool(true)] }
        for shared in snapshot.coDepartmentCodes { out.departments += [.int(id), .text(shared), .bool(false)] }
        if let text = memo.searchText(description) { out.searchTexts += [.int(id), .text(text)] }
    }

    /// The usual path with the turns a county's cases take now and then: a department hands one back
    /// (退回) and it is dispatched again; a handler asks for more time (延期) and the centre grants it;
    /// the centre reminds a handler (催办); a result fails its check on site and is reworked (返工).
    /// Without them a generated county's rework and return rates were 0%, and its extension queue empty.
    private func detours(_ random: inout SplitMix64) -> [CaseAction] {
        var path: [CaseAction] = [.register, .dispatch]
        path.reserveCapacity(16)
        if random.nextUnit() < 0.03 { path += [.returnCase, .dispatch] }
        path.append(.accept)
        if random.nextUnit() < 0.05 { path.append(.remind) }
        if random.nextUnit() < 0.03 { path += [.requestExtension, .approveExtension] }
        path.append(.submitResult)
        if random.nextUnit() < 0.04 { path += [.verifyFail, .submitResult] }
        return path + [.verifyPass, .evaluate, .close, .archive]
    }

    /// How many steps come after their clock's deadline: at a million cases 3% of timed steps late and
    /// 11% of cases ever marked overdue (BENCHMARKS.md, "The generated history keeps its deadlines").
    static let lateShare = 0.02
    /// How many of the last month's cases stop where their holder left them: the open backlog.
    static let stuckShare = 0.05

    /// When a step comes: one in fifty (`lateShare`) after the running clock's deadline, up to 30 hours
    /// after, so a few cases are red for a day and escalated; the others within it and within a day, at
    /// least ten minutes after the step before. A step with no clock running (closing, archiving)
    /// comes within a day, one whose clock ran out already within four hours.
    private func stepTime(after time: Date, due: Date?, _ random: inout SplitMix64) -> Date {
        let late = random.nextUnit() < Self.lateShare
        guard let due, due.timeIntervalSince(time) > 600 else {
            return time.addingTimeInterval(600 + random.nextUnit() * (due == nil ? 86400 : 4 * 3600))
        }
        if late { return due.addingTimeInterval(120 + random.nextUnit() * 30 * 3600) }
        return time.addingTimeInterval(600 + random.nextUnit() * min(due.timeIntervalSince(time) - 600, 86400))
    }

    /// The SLA sweep's marks on one case: `overdue_at` (its red lamp), `auto_escalated`, and whether it
    /// was ever marked (超期率 counts a case's first mark).
    struct Lamp {
        var overdueAt: Date?
        var autoEscalated = false
        var sawOverdue = false

        /// A new running clock puts the red lamp out until that clock runs out too, as
        /// `CaseModel.setDeadlines` does live; `due` is the case's `due_at`, nil once it is finished.
        mutating func follow(due before: Date?, to after: Date?) {
            if after != before { overdueAt = nil }
        }
    }

    static let caseColumns = [
        "id", "code", "query_code_hash", "channel", "description", "category_code", "urgency", "lat", "lon", "address", "outside_grids",
        "city_code", "county_code", "township_code", "village_code", "grid_code", "reporter_name", "reporter_phone", "anonymous",
        "reporter_username", "hotline_number", "hotline_ticket", "petition_kind", "state", "version", "snapshot", "centre_org_code",
        "lead_department_code", "assigned_grid_code", "result", "public_reply", "rating", "master_case_id", "last_action", "result_by",
        "extension_requested", "returns_count", "reworks_count", "reminders_count", "supervisions_count", "created_at", "updated_at",
        "closed_at", "deadlines", "due_at", "blue_at", "yellow_at", "overdue_at", "auto_escalated", "attributes", "event_hash",
    ]

    static let eventColumns = ["case_id", "seq", "action", "from_state", "to_state", "actor_username", "actor_name", "actor_role",
                               "actor_org_code", "actor_department_code", "note", "public", "payload", "created_at", "hash",
                               "place_code", "on_time"]
}
