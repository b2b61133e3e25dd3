import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// The red lamp that lights by itself: finds cases whose running deadline has passed, marks them
/// overdue with an event and notices, and escalates (提级督办) those red for longer than
/// `escalateAfter`. Each case is handled in its own transaction guarded by its version, and a tick
/// runs only on the instance holding the lease, so running it twice or on two instances at once
/// marks and escalates each case exactly once, and a crash mid-tick leaves no case half done.
public struct SLASweep: Sendable {
    public struct Report: Sendable, Equatable {
        public var ran: Bool
        public var markedOverdue: [String] = []
        public var escalated: [String] = []
        /// Open cases whose blue and yellow moments moved because the thresholds or the calendar
        /// changed (`ThresholdTimesRefresh`); nil when they had not changed.
        public var thresholdTimesMoved: Int?
    }

    public let db: any Database
    public let instanceID: String
    public var escalateAfter: TimeInterval
    public var leaseSeconds: TimeInterval
    public var batchSize = 500

    public init(db: any Database, instanceID: String, escalateAfter: TimeInterval = 24 * 3600, leaseSeconds: TimeInterval = 55) {
        self.db = db
        self.instanceID = instanceID
        self.escalateAfter = escalateAfter
        self.leaseSeconds = leaseSeconds
    }

    public static let systemActorName = "系统(时限监控)"

    /// The sweep's mark of a case whose running clock ran out at `due`; its note names the deadline.
    /// The generator writes the same (`GeneratorPlan.sweep`).
    public static func overdueCommand(due: Date?) -> CaseCommand {
        CaseCommand(.overdue, note: "时限已到:" + (due.map { $0.formatted(.iso8601) } ?? ""))
    }

    /// The sweep's escalation of a case red too long to the centre above its own; nil when there is
    /// none below the city or the case's state cannot be escalated.
    public static func escalationCommand(for snapshot: CaseSnapshot) -> CaseCommand? {
        guard let parent = OrgCode.parent(of: snapshot.centreOrgCode), OrgCode.level(of: parent) != .city,
              CaseMachine.canStart(.escalate, from: snapshot.state) else { return nil }
        return CaseCommand(.escalate, note: "超期未办结,自动提级督办", targetOrgCode: parent)
    }

    public func tick(now: Date, sla: SLAContext, notifier: (any Notifier)? = nil) async throws -> Report {
        guard try await acquireLease(now: now) else { return Report(ran: false) }
        var report = Report(ran: true)
        report.thresholdTimesMoved = try await ThresholdTimesRefresh(db: db).run(sla: sla, now: now)
        var messages: [NoticeMessage] = []

        for model in try await candidates(Self.dueIDs(now: now, limit: batchSize), by: \.$dueAt) {
            if let sent = try await mark(model, now: now, sla: sla) {
                report.markedOverdue.append(model.code)
                messages += sent
            }
        }

        for model in try await candidates(Self.redIDs(before: now.addingTimeInterval(-escalateAfter), limit: batchSize), by: \.$overdueAt) {
            if let sent = try await escalate(model, now: now, sla: sla) {
                report.escalated.append(model.code)
                messages += sent
            }
        }
        await notifier?.deliver(messages)
        return report
    }

    /// Open cases not yet marked whose deadline has passed, longest overdue first, from migration
    /// 020's index of them (its condition repeated word for word).
    static func dueIDs(now: Date, limit: Int) -> SQLQueryString {
        """
        SELECT \(ident: "id") FROM \(ident: CaseModel.schema) WHERE \(unsafeRaw: IndexSweepCandidates.unmarked)
        AND \(ident: "due_at") <= \(bind: now) ORDER BY \(ident: "due_at") LIMIT \(literal: limit)
        """
    }

    /// Marked cases not yet escalated, red since before `cutoff`, longest red first (020's other index).
    static func redIDs(before cutoff: Date, limit: Int) -> SQLQueryString {
        """
        SELECT \(ident: "id") FROM \(ident: CaseModel.schema) WHERE \(unsafeRaw: IndexSweepCandidates.unescalated)
        AND \(ident: "overdue_at") <= \(bind: cutoff) ORDER BY \(ident: "overdue_at") LIMIT \(literal: limit)
        """
    }

    /// The cases whose ids `ids` picks, in the order it picked them.
    private func candidates(_ ids: SQLQueryString, by time: KeyPath<CaseModel, CaseModel.Column<Date?>>) async throws -> [CaseModel] {
        try await CaseModel.query(on: db).filter(.sql(embed: "\(ident: CaseModel.schema).\(ident: "id") IN (\(ids))"))
            .sort(time).sort(\.$id).all()
    }

    /// One case: the version claim makes a second sweep (or another instance) that read the same row lose.
    func mark(_ model: CaseModel, now: Date, sla: SLAContext) async throws -> [NoticeMessage]? {
        let snapshot = try model.snapshot
        let command = Self.overdueCommand(due: model.dueAt)
        // Lit before the event is counted, so the open-case gauges move the case to overdue.
        let step = try await CaseTransitionService.step(model, command: command, from: snapshot, to: snapshot, actor: nil, photos: [], now: now,
                                                        sla: sla, systemName: Self.systemActorName, gaugeBefore: GaugeState(model), on: db) {
            $0.overdueAt = now
        }
        return try await write(step, notices: NoticeRouter.notices(.overdue, model: model, snapshot: snapshot, on: db, now: now))
    }

    func escalate(_ model: CaseModel, now: Date, sla: SLAContext) async throws -> [NoticeMessage]? {
        let snapshot = try model.snapshot
        guard let command = Self.escalationCommand(for: snapshot) else {
            // Nothing above to escalate to (or not in an escalatable state): remember, so it is not retried every tick.
            model.autoEscalated = true
            try await model.save(on: db)
            return nil
        }
        let next = try CaseMachine.apply(snapshot, command, actorUsername: "")
        let step = try await CaseTransitionService.step(model, command: command, from: snapshot, to: next, actor: nil, photos: [], now: now,
                                                        sla: sla, systemName: Self.systemActorName, on: db) { $0.autoEscalated = true }
        return try await write(step, notices: NoticeRouter.notices(.escalate, model: model, snapshot: next, on: db, now: now))
    }

    /// The sweep's step, or nil when someone acted on the case since the sweep read it.
    private func write(_ step: CaseStep, notices: NoticeRouter.Notices) async throws -> [NoticeMessage]? {
        let outcome = try await CaseTransitionService(db: db).write(PendingTransition(steps: [step], notices: notices.rows))
        return outcome == .written ? notices.messages : nil
    }

    /// Takes or renews the lease row; `false` when another instance holds an unexpired one.
    func acquireLease(now: Date) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return true }
        let name = "sla_sweep"
        let until = now.addingTimeInterval(leaseSeconds)
        let taken = try await sql.update(JobLeaseModel.schema)
            .set("holder", to: instanceID)
            .set("expires_at", to: until)
            .where("name", .equal, name)
            .where { $0.where("expires_at", .lessThanOrEqual, now).orWhere("holder", .equal, instanceID) }
            .returning("name")
            .all()
        if !taken.isEmpty { return true }
        let inserted = try await sql.insert(into: JobLeaseModel.schema)
            .columns("name", "holder", "expires_at")
            .values(SQLBind(name), SQLBind(instanceID), SQLBind(until))
            .ignoringConflicts(with: ["name"])
            .returning("name")
            .all()
        return !inserted.isEmpty
    }
}
