import FluentKit
import Foundation
import WanggeDomain

/// One step of a case, appended in the same transaction as the change to the case and never updated
/// or deleted: the evidence for assessment and disputes.
public final class CaseEventModel: Model, @unchecked Sendable {
    public static let schema = "case_events"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Column(key: "case_id") public var caseID: Int
    /// 1, 2, 3 … per case; unique with `case_id`, so two writers cannot both append step n.
    @Column(key: "seq") public var seq: Int
    @Column(key: "action") public var action: String
    @Column(key: "from_state") public var fromState: String?
    @Column(key: "to_state") public var toState: String
    @Column(key: "actor_username") public var actorUsername: String?
    @Column(key: "actor_name") public var actorName: String
    @Column(key: "actor_role") public var actorRole: String
    @Column(key: "actor_org_code") public var actorOrgCode: String?
    @Column(key: "actor_department_code") public var actorDepartmentCode: String?
    @Column(key: "note") public var note: String?
    @Column(key: "public") public var isPublic: Bool
    /// The `CaseCommand` as JSON (the first event holds the initial `CaseSnapshot`).
    @Column(key: "payload") public var payload: String
    @Column(key: "created_at") public var createdAt: Date
    /// SHA-256 over this event and the previous one's hash (see `EventHashChain`).
    @Column(key: "hash") public var hash: String?
    /// Where the case was (its deepest org code) when this happened; the assessment counts it there.
    @Column(key: "place_code") public var placeCode: String?
    /// For an event that meets a clock (立案/签收/结案): whether it was met in time (see `Tally.onTime`).
    @Column(key: "on_time") public var onTime: Bool?

    public init() {}

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] {
        [_id, _caseID, _seq, _action, _fromState, _toState, _actorUsername, _actorName, _actorRole, _actorOrgCode,
         _actorDepartmentCode, _note, _isPublic, _payload, _createdAt, _hash, _placeCode, _onTime]
    }
}

/// A photo (or later voice/video) of a case, stored content-addressed on disk by its SHA-256.
public final class AttachmentModel: Model, @unchecked Sendable {
    public static let schema = "attachments"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Column(key: "case_id") public var caseID: Int
    @Column(key: "event_id") public var eventID: Int?
    @Column(key: "sha256") public var sha256: String
    @Column(key: "content_type") public var contentType: String
    @Column(key: "size") public var size: Int
    @Column(key: "created_at") public var createdAt: Date

    public init() {}

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] { [_id, _caseID, _eventID, _sha256, _contentType, _size, _createdAt] }
}

/// PostgreSQL's search index (`CaseSearchTerms`): a (case_id, term) row per bigram term of a case's description and
/// address, for Chinese search without a segmenter. Written and read as rows, never through Fluent; since migration 026
/// a row has no id of its own.
public enum CaseSearchTermModel {
    public static let schema = "case_search_terms"
}
