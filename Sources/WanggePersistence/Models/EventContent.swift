import Foundation
import WanggeDomain

/// What an event says, which a loaded `CaseEventModel` and intake's plain `EventContent` both
/// have: what its hash covers (`EventHashChain.tail`) and what the assessment counts
/// (`EventRollups`).
public protocol EventFields {
    var seq: Int { get }
    var action: String { get }
    var fromState: String? { get }
    var toState: String { get }
    var actorUsername: String? { get }
    var actorName: String { get }
    var actorRole: String { get }
    var actorOrgCode: String? { get }
    var actorDepartmentCode: String? { get }
    var note: String? { get }
    var isPublic: Bool { get }
    var payload: String { get }
    var createdAt: Date { get }
    var placeCode: String? { get }
    var onTime: Bool? { get }
}

extension EventFields {
    public var caseAction: CaseAction? { CaseAction(rawValue: action) }
}

extension CaseEventModel: EventFields {}

/// A new event as plain values (`CaseEvents.content`). Intake and transitions write events from it
/// without a model (`IntakeWriter`, `TransitionWriter`).
struct EventContent: EventFields, Sendable {
    let seq: Int
    let action: String
    let fromState: String?
    let toState: String
    let actorUsername: String?
    let actorName: String
    let actorRole: String
    let actorOrgCode: String?
    let actorDepartmentCode: String?
    let note: String?
    let isPublic: Bool
    let payload: String
    let createdAt: Date
    let placeCode: String?
    let onTime: Bool?

    /// Every column of `case_events` but the id (the database's), in the model's order.
    func columns(caseID: Int, hash: String, into rows: inout FlatRows) {
        rows.startRow()
        rows.add("case_id", .int(caseID))
        rows.add("seq", .int(seq))
        rows.add("action", .text(action))
        rows.add("from_state", .text(fromState))
        rows.add("to_state", .text(toState))
        rows.add("actor_username", .text(actorUsername))
        rows.add("actor_name", .text(actorName))
        rows.add("actor_role", .text(actorRole))
        rows.add("actor_org_code", .text(actorOrgCode))
        rows.add("actor_department_code", .text(actorDepartmentCode))
        rows.add("note", .text(note))
        rows.add("public", .bool(isPublic))
        rows.add("payload", .text(payload))
        rows.add("created_at", .date(createdAt))
        rows.add("hash", .text(hash))
        rows.add("place_code", .text(placeCode))
        rows.add("on_time", .bool(onTime))
    }

    /// The same columns as (name, value) pairs.
    func columns(caseID: Int, hash: String) -> [(name: String, value: BulkValue)] {
        var rows = FlatRows()
        columns(caseID: caseID, hash: hash, into: &rows)
        return rows.pairs
    }
}

extension CaseEventModel {
    /// A command as an event's payload holds it: keys sorted, and covered by the hash chain. Transitions,
    /// on-the-spot resolutions and the generator write it so.
    public static func payload(_ command: CaseCommand) throws -> String {
        try CaseEvents.encode(command)
    }
}
