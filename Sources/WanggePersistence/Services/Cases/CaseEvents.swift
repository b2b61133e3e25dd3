import FluentKit
import Foundation
import WanggeDomain

/// Building event and attachment rows.
enum CaseEvents {
    /// What a new event says, before its case is known (intake's) or chained.
    static func content(seq: Int, action: CaseAction, from: CaseState?, to: CaseState, actor: Actor?, anonymousName: String,
                        note: String?, payload: String, at now: Date, placeCode: String?, onTime: Bool? = nil) -> EventContent {
        EventContent(seq: seq, action: action.rawValue, fromState: from?.rawValue, toState: to.rawValue, actorUsername: actor?.username,
                     actorName: actor?.displayName ?? anonymousName,
                     actorRole: actor?.role.rawValue ?? (anonymousName == SLASweep.systemActorName ? "system" : "anonymous"),
                     actorOrgCode: actor?.orgCode, actorDepartmentCode: actor?.departmentCode, note: note, isPublic: action.isPublic,
                     payload: payload, createdAt: EventHashChain.normalise(now), placeCode: placeCode, onTime: onTime)
    }

    /// The chain's rule: an event's hash is over the head, and becomes the head. The event's hashed
    /// text after its case id (`EventHashChain.tail`) is made before the write: intake's before its
    /// group is written (`IntakeWriter`), a transition's when its step is built (`CaseStep`).
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
