import FluentKit
import Foundation
import WanggeDomain

/// Building event and attachment rows.
enum CaseEvents {
    static func make(caseID: Int, seq: Int, action: CaseAction, from: CaseState?, to: CaseState, actor: Actor?,
                     anonymousName: String, note: String?, payload: String, at now: Date,
                     placeCode: String?, onTime: Bool? = nil) -> CaseEventModel {
        CaseEventModel(content(seq: seq, action: action, from: from, to: to, actor: actor, anonymousName: anonymousName, note: note,
                               payload: payload, at: now, placeCode: placeCode, onTime: onTime), caseID: caseID)
    }

    /// What a new event says, before its case is known (intake's) or chained.
    static func content(seq: Int, action: CaseAction, from: CaseState?, to: CaseState, actor: Actor?, anonymousName: String,
                        note: String?, payload: String, at now: Date, placeCode: String?, onTime: Bool? = nil) -> EventContent {
        EventContent(seq: seq, action: action.rawValue, fromState: from?.rawValue, toState: to.rawValue, actorUsername: actor?.username,
                     actorName: actor?.displayName ?? anonymousName,
                     actorRole: actor?.role.rawValue ?? (anonymousName == SLASweep.systemActorName ? "system" : "anonymous"),
                     actorOrgCode: actor?.orgCode, actorDepartmentCode: actor?.departmentCode, note: note, isPublic: action.isPublic,
                     payload: payload, createdAt: EventHashChain.normalise(now), placeCode: placeCode, onTime: onTime)
    }

    /// Appends an event to its case's chain: hashes it over the case's current head and moves the head.
    static func append(_ event: CaseEventModel, to model: CaseModel, on db: any Database) async throws {
        event.hash = chain(caseID: event.caseID, onto: &model.eventHash, tail: EventHashChain.tail(of: event))
        try await event.create(on: db)
    }

    /// The chain's rule alone: an event's hash is over the head, and becomes the head. The event's
    /// hashed text after its case id (`EventHashChain.tail`) is already made: intake makes it before
    /// its group is written (`IntakeWriter`), and holds the head of a case it has no model for.
    static func chain(caseID: Int, onto head: inout String?, tail: String) -> String {
        let hash = EventHashChain.hash(previous: head ?? "", caseID: caseID, tail: tail)
        head = hash
        return hash
    }

    static func attachment(caseID: Int, eventID: Int, photo: StoredPhoto, at now: Date) -> AttachmentModel {
        let row = AttachmentModel()
        row.caseID = caseID
        row.eventID = eventID
        row.sha256 = photo.sha256
        row.contentType = photo.contentType
        row.size = photo.size
        row.createdAt = now
        return row
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
