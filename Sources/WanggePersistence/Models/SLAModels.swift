import FluentKit
import Foundation
import WanggeDomain

/// A message in a user's in-app inbox.
public final class NotificationModel: Model, @unchecked Sendable {
    public static let schema = "notifications"

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case assignment, reminder, supervision, overdue, returned, evaluation, escalated
    }

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Parent(key: "user_id") public var user: UserModel
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "case_code") public var caseCode: String?
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "read_at") public var readAt: Date?

    public init() {}
}

/// An SLA rule: a policy for a category and/or urgency (JSON of `SLAPolicy`).
public final class SLARuleModel: Model, @unchecked Sendable {
    public static let schema = "sla_rules"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @OptionalField(key: "category_code") public var categoryCode: String?
    @OptionalField(key: "urgency") public var urgency: String?
    @Field(key: "policy") public var policy: String

    public init() {}
}

/// A year of holidays added by an administrator (JSON of `HolidayYear`); overrides a shipped year.
public final class HolidayYearModel: Model, @unchecked Sendable {
    public static let schema = "holiday_years"

    @ID(custom: "year", generatedBy: .user) public var id: Int?
    @Field(key: "data") public var data: String

    public init() {}
}

/// Who runs a periodic job now: several app instances share one database, and a tick runs only on
/// the instance holding the unexpired lease.
public final class JobLeaseModel: Model, @unchecked Sendable {
    public static let schema = "job_leases"

    @ID(custom: "name", generatedBy: .user) public var id: String?
    @Field(key: "holder") public var holder: String
    @Field(key: "expires_at") public var expiresAt: Date

    public init() {}
}
