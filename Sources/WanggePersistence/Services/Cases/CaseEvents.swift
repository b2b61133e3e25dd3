import FluentKit
import Foundation
import WanggeDomain

/// Building event and attachment rows.
enum CaseEvents {
    static func make(caseID: Int, seq: Int, action: CaseAction, from: CaseState?, to: CaseState, actor: Actor?,
                     anonymousName: String, note: String?, payload: String, at now: Date,
                     placeCode: String?, onTime: Bool? = nil) throws -> CaseEventModel {
        let event = CaseEventModel()
        event.caseID = caseID
        event.seq = seq
        event.action = action.rawValue
        event.fromState = from?.rawValue
        event.toState = to.rawValue
        event.actorUsername = actor?.username
        event.actorName = actor?.displayName ?? anonymousName
        event.actorRole = actor?.role.rawValue ?? (anonymousName == SLASweep.systemActorName ? "system" : "anonymous")
        event.actorOrgCode = actor?.orgCode
        event.actorDepartmentCode = actor?.departmentCode
        event.note = note
        event.isPublic = action.isPublic
        event.payload = payload
        event.createdAt = EventHashChain.normalise(now)
        event.placeCode = placeCode
        event.onTime = onTime
        return event
    }

    /// Appends an event to its case's chain: hashes it over the case's current head and moves the head.
    static func append(_ event: CaseEventModel, to model: CaseModel, on db: any Database) async throws {
        chain(event, onto: &model.eventHash, tail: EventHashChain.tail(of: event))
        try await event.create(on: db)
    }

    /// The chain's rule alone: hash over the head, then move the head. The event's hashed text after
    /// its case id (`EventHashChain.tail`) is already made: intake makes it before its group is
    /// written (`IntakeWriter`), and holds the head of a case it has no model for.
    static func chain(_ event: CaseEventModel, onto head: inout String?, tail: String) {
        event.hash = EventHashChain.hash(previous: head ?? "", caseID: event.caseID, tail: tail)
        head = event.hash
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
