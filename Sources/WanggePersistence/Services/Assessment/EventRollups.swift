import FluentKit
import Foundation
import WanggeDomain

/// The rollup rows one event row adds. Everything it reads is on the event (place, on-time fact,
/// actor, time) or in the case's snapshots before and after it, so writing and rebuilding agree.
public enum EventRollups {
    public static func entries(for event: some EventFields, before: CaseSnapshot, after: CaseSnapshot, channel: String,
                               firstOverdue: Bool, timeZone: TimeZone) -> [RollupEntry] {
        tally(for: event, before: before, after: after, channel: channel, firstOverdue: firstOverdue, timeZone: timeZone)?.entries ?? []
    }

    /// What the entries are made from, for the rollup journal (`RollupJournal`); nil when the event counts nowhere.
    public static func tally(for event: some EventFields, before: CaseSnapshot, after: CaseSnapshot, channel: String,
                             firstOverdue: Bool, timeZone: TimeZone) -> RollupTally? {
        guard let action = event.caseAction, let place = event.placeCode else { return nil }
        let byGridWorker = event.actorRole == Role.gridWorker.rawValue
        let tally = Tally.count(action, before: before, after: after, onTime: event.onTime, firstOverdue: firstOverdue,
                                byGridWorker: byGridWorker)
        guard !tally.isEmpty else { return nil }
        let context = RollupKeys.Context(placeCode: place, categoryCode: after.categoryCode, channel: channel, at: event.createdAt,
                                         timeZone: timeZone, workerUsername: byGridWorker ? event.actorUsername : nil,
                                         workerOrgCode: byGridWorker ? event.actorOrgCode : nil)
        return RollupTally(tally, context)
    }

    /// Writes what an event adds, in the caller's transaction.
    static func record(_ event: CaseEventModel, before: CaseSnapshot, after: CaseSnapshot, channel: String, firstOverdue: Bool,
                       timeZone: TimeZone, on db: any Database) async throws {
        try await RollupLedger.add(entries(for: event, before: before, after: after, channel: channel, firstOverdue: firstOverdue,
                                           timeZone: timeZone), on: db)
    }
}
