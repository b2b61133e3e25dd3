import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

extension CaseGenerator {
    static let places = ["小区门口", "菜市场旁", "学校附近", "公交站台", "河道边上", "老街巷口", "商业街", "工业园区", "安置小区", "村委会前"]
    static let tails = ["需要尽快处理", "已经好几天了", "影响居民出行", "存在安全隐患", "多次反映未解决", "群众意见很大"]
    static let channels: [(WanggeDomain.Channel, Int)] = [(.citizen, 45), (.patrol, 25), (.hotline, 20), (.window, 5), (.petition, 5)]
    static let ratings: [Rating] = [.satisfied, .satisfied, .satisfied, .basicallySatisfied, .unsatisfied]

    /// The path every case walks, cut short where its final state is.
    static let fullPath: [CaseAction] = [.register, .dispatch, .accept, .submitResult, .verifyPass, .evaluate, .close, .archive]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func unit() -> Double { random.nextUnit() }

    mutating func cases(_ total: Int, now: Date) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let grids = gridCodes
        let columns = Self.villagesPerTownship * Self.gridsPerVillage / 2
        let lattice = DemoGeometry.lattice(columns: columns, rows: Self.townships * 2, origin: GeoPoint(lon: 120.0, lat: 30.2),
                                           cellLon: 0.006, cellLat: 0.005, jitter: 0.001, seed: 7)
        let centres = (0..<grids.count).map { i in lattice[i % columns][i / columns].bbox.center }
        let categories = DemoCounty.categories.filter { $0.parentCode != nil }
        let threeYears: TimeInterval = 3 * 365 * 86400
        let batch = 2000
        var written = 0
        var dayCounters: [String: Int] = [:]
        var tallies = GeneratedTallies()
        var gauges: [GaugeState] = []
        let started = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .deferredToDate
        while written < total {
            let count = min(batch, total - written)
            var caseRows: [[any Encodable & Sendable]] = []
            var eventRows: [[any Encodable & Sendable]] = []
            var departmentRows: [[any Encodable & Sendable]] = []
            var termRows: [[any Encodable & Sendable]] = []
            for offset in 0..<count {
                let id = written + offset + 1
                let gridIndex = Int(random.next() % UInt64(grids.count))
                let grid = grids[gridIndex]
                let centre = centres[gridIndex]
                let point = GeoPoint(lon: centre.lon + (unit() - 0.5) * 0.002, lat: centre.lat + (unit() - 0.5) * 0.0015)
                let category = pick(categories)
                let created = now.addingTimeInterval(-unit() * threeYears)
                var weight = Int(random.next() % 100)
                var channel = WanggeDomain.Channel.citizen
                for (c, w) in Self.channels { if weight < w { channel = c; break }; weight -= w }
                let description = pick(Self.places) + category.name + "," + pick(Self.tails)
                let age = now.timeIntervalSince(created)
                // Old cases are finished; recent ones are anywhere on the path.
                let rejected = unit() < 0.04
                let steps = age > 30 * 86400 ? Self.fullPath.count : Int(random.next() % UInt64(Self.fullPath.count + 1))
                let ancestry = OrgCode.ancestry(of: grid)
                let department = category.defaultDepartmentCode ?? "330110-CG"
                var snapshot = CaseSnapshot(centreOrgCode: ancestry.townshipCode!, gridCode: grid, categoryCode: category.code,
                                            reporterUsername: channel == .patrol ? "grid\(gridIndex + 1)" : nil)
                let initial = snapshot
                let urgency = unit() < 0.1 ? Urgency.urgent : .normal
                let policy = sla.policies.policy(category: category.code, urgency: urgency)
                var deadlines = CaseDeadlines.atIntake(created, policy: policy, calendar: sla.calendar)
                var time = created
                var previous = ""
                var events: [(CaseAction, CaseState?, CaseState, String, Date, String, String, String?)] = []
                events.append((.report, nil, .reported, try String(decoding: encoder.encode(initial), as: UTF8.self), created,
                               channel == .patrol ? "网格员\(gridIndex + 1)" : "群众", channel == .patrol ? "grid_worker" : "anonymous", nil))
                var commands: [CaseCommand] = rejected ? [CaseCommand(.reject, note: "不属于受理范围")] : []
                if !rejected {
                    for action in Self.fullPath.prefix(steps) {
                        switch action {
                        case .dispatch: commands.append(CaseCommand(.dispatch, departmentCode: department))
                        case .submitResult: commands.append(CaseCommand(.submitResult, result: "已处理完毕"))
                        case .evaluate: commands.append(CaseCommand(.evaluate, rating: pick(Self.ratings)))
                        default: commands.append(CaseCommand(action))
                        }
                    }
                }
                let worker = "grid\(gridIndex + 1)"
                tallies.add(Tally.count(.report, before: initial, after: initial, onTime: nil, firstOverdue: false, byGridWorker: channel == .patrol),
                            place: grid, category: category.code, channel: channel.rawValue, at: EventHashChain.normalise(created),
                            worker: channel == .patrol ? worker : nil, workerOrg: channel == .patrol ? grid : nil, timeZone: timeZone)
                var onTimes: [Bool?] = [nil]
                for command in commands {
                    time = time.addingTimeInterval(600 + unit() * 86400)
                    let before = snapshot
                    snapshot = try CaseMachine.apply(snapshot, command, actorUsername: "dispatcher")
                    deadlines = deadlines.after(command.action, previous: before, at: time, policy: policy, calendar: sla.calendar)
                    let onTime = Tally.onTime(command.action, deadlinesAfter: deadlines)
                    onTimes.append(onTime)
                    tallies.add(Tally.count(command.action, before: before, after: snapshot, onTime: onTime, firstOverdue: false, byGridWorker: false),
                                place: grid, category: snapshot.categoryCode, channel: channel.rawValue, at: EventHashChain.normalise(time),
                                worker: nil, workerOrg: nil, timeZone: timeZone)
                    let role = [.accept, .submitResult].contains(command.action) ? "handler" : command.action == .evaluate ? "anonymous" : "dispatcher"
                    events.append((command.action, before.state, snapshot.state, try String(decoding: encoder.encode(command), as: UTF8.self),
                                   time, role == "handler" ? "处置人员" : role == "anonymous" ? "群众" : "调度员", role,
                                   command.note ?? command.result))
                }
                for (seq, event) in events.enumerated() {
                    let at = EventHashChain.normalise(event.4)
                    let username: String? = event.6 == "dispatcher" ? "dispatcher" : event.6 == "handler" ? "handler-\(department.lowercased())"
                        : event.6 == "grid_worker" ? worker : nil
                    let orgCode: String? = event.6 == "grid_worker" ? grid : nil
                    let department: String? = event.6 == "handler" ? department : nil
                    let isPublic = event.0.isPublic
                    let hash = EventHashChain.hash(fields: [previous, String(id), String(seq + 1), event.0.rawValue, event.1?.rawValue ?? "",
                                                            event.2.rawValue, username ?? "", event.5, event.6, orgCode ?? "", department ?? "", event.7 ?? "",
                                                            isPublic ? "1" : "0", event.3, String(Int64((at.timeIntervalSince1970 * 1000).rounded()))]
                                                   + EventHashChain.assessmentFields(placeCode: grid, onTime: onTimes[seq]))
                    previous = hash
                    eventRows.append([id, seq + 1, event.0.rawValue, event.1?.rawValue, event.2.rawValue, username, event.5, event.6,
                                      orgCode, department, event.7, isPublic, event.3, at, hash, grid, onTimes[seq]])
                }
                let day = CaseCode.dayKey(created, timeZone: timeZone)
                let sequence = (dayCounters[day] ?? 0) + 1
                dayCounters[day] = sequence
                let code = CaseCode.make(countyCode: "330110", day: created, sequence: sequence, timeZone: timeZone)
                let queryHash = QueryCodeHash.hash(QueryCode.generate(using: &random))
                let state = snapshot.state
                let open = state.isOpen
                let deadlinesJSON = try String(decoding: encoder.encode(deadlines), as: UTF8.self)
                let times = open ? deadlines.thresholdTimes(sla.thresholds, calendar: sla.calendar) : nil
                let snapshotJSON = try String(decoding: encoder.encode(snapshot), as: UTF8.self)
                let finished = [CaseState.closed, .archived].contains(state)
                let hasResult = snapshot.resultBy != nil
                let isHotline = channel == .hotline
                var row: [any Encodable & Sendable] = [id, code, queryHash, channel.rawValue, description, category.code, urgency.rawValue]
                row += [point.lat, point.lon, String?.none, false, ancestry.cityCode, ancestry.countyCode, ancestry.townshipCode]
                row += [ancestry.villageCode, grid, String?.none, String?.none, channel != .patrol, snapshot.reporterUsername]
                row += [isHotline ? "12345" : nil, isHotline ? "12345-\(id)" : nil, channel == .petition ? "visit" : nil]
                row += [state.rawValue, events.count, snapshotJSON, snapshot.centreOrgCode, snapshot.leadDepartmentCode]
                row += [snapshot.assignedGridCode, hasResult ? "已处理完毕" : nil, hasResult ? "已处理完毕" : nil, snapshot.rating?.rawValue]
                row += [Int?.none, events.last!.0.rawValue, snapshot.resultBy, false, 0, 0, 0, 0]
                row += [created, time, finished ? time : nil, deadlinesJSON, open ? deadlines.nextDue : nil]
                row += [times?.blue, times?.yellow, Date?.none, false, String?.none, previous]
                caseRows.append(row)
                if open { gauges.append(GaugeState(placeCode: grid, departmentCode: snapshot.leadDepartmentCode, open: true, overdue: false)) }
                if let lead = snapshot.leadDepartmentCode { departmentRows.append([id, lead, true]) }
                for term in SearchTerms.terms(description) { termRows.append([id, term]) }
            }
            let (cases, events, departments, terms) = (caseRows, eventRows, departmentRows, termRows)
            try await db.transaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                try await Self.insert(sql, CaseModel.schema, Self.caseColumns, cases, perStatement: 500)
                try await Self.insert(sql, CaseEventModel.schema, Self.eventColumns, events, perStatement: 2000)
                try await Self.insert(sql, CaseDepartmentModel.schema, ["case_id", "department_code", "lead"], departments, perStatement: 5000)
                try await Self.insert(sql, CaseSearchTermModel.schema, ["case_id", "term"], terms, perStatement: 10000)
            }
            written += count
            let elapsed = Date().timeIntervalSince(started)
            let rate = Double(written) / max(elapsed, 0.001)
            let eta = Double(total - written) / max(rate, 1)
            let bar = String(repeating: "#", count: written * 30 / total).padding(toLength: 30, withPad: " ", startingAt: 0)
            console.output("\r[\(bar)] \(written * 100 / total)% \(written)/\(total)  \(Int(rate)) cases/s  ETA \(Int(eta)) s".consoleText(), newLine: written == total)
        }
        console.info("rollups: \(tallies.count) place-day groups, writing rows …")
        try await RollupRebuild(db: db, timeZone: timeZone).write(entries: tallies.entries(timeZone: timeZone), gauges: gauges)
        try await sql.raw("UPDATE case_code_counters SET last = last").run()
        if sql.dialect.name == "postgresql" {
            for table in [CaseModel.schema, CaseEventModel.schema, CaseDepartmentModel.schema, CaseSearchTermModel.schema] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(literal: table), 'id'), (SELECT COALESCE(MAX(id), 1) FROM \(ident: table)))").run()
            }
        }
        // Today's counters continue after the generated cases.
        for (day, last) in dayCounters where day == CaseCode.dayKey(now, timeZone: timeZone) {
            try await sql.raw("INSERT INTO case_code_counters (key, last) VALUES (\(bind: "330110-\(day)"), \(bind: last))").run()
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

    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]], perStatement: Int) async throws {
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            var builder = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { builder = builder.values(row) }
            try await builder.run()
            start = end
        }
    }
}
