import Foundation
import SQLKit
import WanggeDomain

/// An event as read for display (timeline, case page, tracking's photos). Events are never updated, so
/// reads need no Fluent model: a model builds one property-wrapper object per column and tears them down
/// again, and for a timeline of ten events that was a tenth of the request. Only the columns a display
/// shows (`columns`): the payload, a whole snapshot's JSON, and the chain's hash, place and on-time fact
/// are for the audit and the rollups, which read the model.
public struct CaseEventRecord: Sendable {
    public var id: Int
    public var seq: Int
    public var action: String
    public var fromState: String?
    public var toState: String
    public var actorUsername: String?
    public var actorName: String
    public var actorRole: String
    public var actorOrgCode: String?
    public var actorDepartmentCode: String?
    public var note: String?
    public var isPublic: Bool
    public var createdAt: Date

    public var caseAction: CaseAction? { CaseAction(rawValue: action) }

    static let columns = ["id", "seq", "action", "from_state", "to_state", "actor_username", "actor_name", "actor_role", "actor_org_code",
                          "actor_department_code", "note", "public", "created_at"]

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        seq = try row.decode(column: "seq", as: Int.self)
        action = try row.decode(column: "action", as: String.self)
        fromState = try row.decode(column: "from_state", as: String?.self)
        toState = try row.decode(column: "to_state", as: String.self)
        actorUsername = try row.decode(column: "actor_username", as: String?.self)
        actorName = try row.decode(column: "actor_name", as: String.self)
        actorRole = try row.decode(column: "actor_role", as: String.self)
        actorOrgCode = try row.decode(column: "actor_org_code", as: String?.self)
        actorDepartmentCode = try row.decode(column: "actor_department_code", as: String?.self)
        note = try row.decode(column: "note", as: String?.self)
        isPublic = try row.decode(column: "public", as: Bool.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
    }
}

/// A public event as the reporter's tracking page shows it: the few columns it needs, read only for
/// the events marked public (half a trail, and a third of its columns).
public struct PublicEventRecord: Sendable {
    public var id: Int
    public var action: String
    public var toState: String
    public var actorRole: String
    public var actorDepartmentCode: String?
    public var note: String?
    public var createdAt: Date

    public var caseAction: CaseAction? { CaseAction(rawValue: action) }

    static let columns = ["public", "id", "action", "to_state", "actor_role", "actor_department_code", "note", "created_at"]

    /// Nil for an internal event.
    init?(row: any SQLRow) throws {
        guard try row.decode(column: "public", as: Bool.self) else { return nil }
        id = try row.decode(column: "id", as: Int.self)
        action = try row.decode(column: "action", as: String.self)
        toState = try row.decode(column: "to_state", as: String.self)
        actorRole = try row.decode(column: "actor_role", as: String.self)
        actorDepartmentCode = try row.decode(column: "actor_department_code", as: String?.self)
        note = try row.decode(column: "note", as: String?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
    }
}
