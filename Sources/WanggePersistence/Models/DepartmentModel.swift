import FluentKit
import Foundation

/// A functional department (职能部门) or township office that handles dispatched cases.
public final class DepartmentModel: Model, @unchecked Sendable {
    public static let schema = "departments"

    @ID(key: .id) public var id: UUID?
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    @Parent(key: "org_unit_id") public var orgUnit: OrgUnitModel
    @Field(key: "active") public var active: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(code: String, name: String, orgUnitID: UUID) {
        self.code = code
        self.name = name
        self.$orgUnit.id = orgUnitID
        self.active = true
    }
}
