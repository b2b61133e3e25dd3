import FluentKit
import Foundation
import WanggeDomain

/// Who saw whose personal data, and when: every reveal of a reporter's contact is written here.
public final class AccessLogModel: Model, @unchecked Sendable {
    public static let schema = "access_log"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "username") public var username: String
    @Field(key: "role") public var role: String
    /// What was looked at, e.g. the case code.
    @Field(key: "subject") public var subject: String
    @Field(key: "field") public var field: String
    @OptionalField(key: "client_address") public var clientAddress: String?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// Revealing a reporter's contact: only to those who must call back, and always logged.
public struct ContactReveal: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// The relations that need the reporter's full contact to do their work (Haiyan's "contact within 1 hour").
    public static let permitted: CaseRelation = [.dispatcherInCharge, .leadHandler, .assignedGridWorker]

    public func reveal(code: String, actor: Actor, clientAddress: String?, now: Date) async throws -> (name: String?, phone: String?) {
        let (model, _, relation) = try await CaseTransitionService(db: db).load(code: code, for: actor)
        guard !relation.isDisjoint(with: Self.permitted) else {
            throw AppError.forbidden(zh: "您无权查看反映人的联系方式。", en: "You may not see the reporter's contact.")
        }
        let entry = AccessLogModel()
        entry.username = actor.username
        entry.role = actor.role.rawValue
        entry.subject = model.code
        entry.field = "reporter_contact"
        entry.clientAddress = clientAddress
        entry.createdAt = now
        try await entry.create(on: db)
        return (model.reporterName, model.reporterPhone)
    }
}
