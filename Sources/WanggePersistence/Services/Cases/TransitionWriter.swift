import FluentKit
import Foundation
import WanggeDomain

/// One case's step as a transition writes it, built before the write transaction: the row's changed
/// columns, its event chained onto the case's head, and what the event adds to the rollups and the
/// gauges. The head and the last sequence number were read with the case at `claimedVersion`, and
/// every event comes with a new version: when the claim holds, they are still the case's own.
struct CaseStep: Sendable {
    let caseID: Int
    /// The version the case had when it was read; the write takes the case only if it still has it.
    let claimedVersion: Int
    /// The columns whose values the step changes (the new version among them).
    let columns: [(name: String, value: BulkValue)]
    /// The event's row, hash included.
    let event: [(name: String, value: BulkValue)]
    let seq: Int
    let rollups: [RollupEntry]
    let gauge: (from: GaugeState, to: GaugeState)
    let photos: [StoredPhoto]
    let at: Date
    /// The case's departments after a dispatch, lead first; nil leaves them as they are.
    let departments: [(code: String, lead: Bool)]?
}

/// A transition checked and built, waiting only for its write: the steps of its cases (the case, and
/// the master case it is merged into) and the inbox rows it sends.
public struct PendingTransition: Sendable {
    let steps: [CaseStep]
    let notices: [NotificationModel]
}

public enum TransitionOutcome: Sendable, Equatable {
    case written
    /// Someone acted on the case since it was read: nothing of this transition was written.
    case stale
}

/// The queue in which transitions that arrive together are written together (one per application).
public typealias TransitionCommits = GroupCommit<PendingTransition, TransitionOutcome>

/// Writes a group of transitions in the caller's transaction. Each case is claimed first, by one
/// UPDATE of its changed columns that holds only while the case has the version it was read at;
/// a transition whose case was claimed by someone else is left out, and its caller answered 409.
/// Then the group's events, photos, departments, rollups, gauges and inbox rows go in a fixed
/// number of statements. Through Fluent's connection each transition was a dozen statements and a
/// commit, each statement a hop to SQLite's thread pool and back while the one write lock was held.
enum TransitionWriter {
    static func write(_ group: [PendingTransition], into rows: any RowSink) async throws -> [TransitionOutcome] {
        var outcomes = [TransitionOutcome](repeating: .stale, count: group.count)
        var steps: [CaseStep] = []
        var notices: [NotificationModel] = []
        // Transitions are claimed in the order of their cases' ids, so that two instances writing
        // groups on PostgreSQL lock rows in one order and do not wait for each other in a circle.
        for index in group.indices.sorted(by: { (group[$0].steps.first?.caseID ?? 0) < (group[$1].steps.first?.caseID ?? 0) }) {
            let pending = group[index]
            var claimed = 0
            for step in pending.steps {
                let changed = try await rows.update(CaseModel.schema, set: step.columns,
                                                    where: [("id", .int(step.caseID)), ("version", .int(step.claimedVersion))])
                guard changed == 1 else { break }
                claimed += 1
            }
            if claimed == 0 { continue }
            // A merge whose master was taken after its case was: the case's row is already changed,
            // so the group fails and is written again one transition at a time.
            guard claimed == pending.steps.count else { throw CaseTransitionService.stale }
            outcomes[index] = .written
            steps += pending.steps
            notices += pending.notices
        }
        guard !steps.isEmpty else { return outcomes }

        let withPhotos = steps.contains { !$0.photos.isEmpty }
        let eventIDs = try await PlainWrites.insert(steps.map(\.event), table: CaseEventModel.schema,
                                                    returning: withPhotos ? ["id", "case_id", "seq"] : [], into: rows)
        var attachments: [AttachmentModel] = []
        for step in steps where !step.photos.isEmpty {
            guard let eventID = eventIDs.first(where: { $0["case_id"]?.int == step.caseID && $0["seq"]?.int == step.seq })?["id"]?.int else {
                throw PlainWriteError.unsupported("case_events.id")
            }
            attachments += step.photos.map { CaseEvents.attachment(caseID: step.caseID, eventID: eventID, photo: $0, at: step.at) }
        }
        _ = try await PlainWrites.insert(attachments, into: rows)

        // The cases whose departments changed: their rows are replaced by the new set (none after a return).
        let reassigned = steps.filter { $0.departments != nil }
        try await rows.delete(from: CaseDepartmentModel.schema, where: "case_id", in: reassigned.map { .int($0.caseID) })
        let departments = reassigned.flatMap { step in
            (step.departments ?? []).map { CaseDepartmentModel(caseID: step.caseID, departmentCode: $0.code, lead: $0.lead) }
        }
        _ = try await PlainWrites.insert(departments, into: rows)

        try await RollupLedger.add(merged: RollupKeys.merged(runs: steps.map(\.rollups)), into: rows)
        try await RollupLedger.moveGauges(steps.map(\.gauge), into: rows)
        _ = try await PlainWrites.insert(notices, into: rows)
        return outcomes
    }
}
