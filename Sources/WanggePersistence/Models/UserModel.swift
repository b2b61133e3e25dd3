import FluentKit
import Foundation
import WanggeDomain

public final class UserModel: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Column(key: "username") public var username: String
    @Column(key: "display_name") public var displayName: String
    @Column(key: "password_hash") public var passwordHash: String
    @Column(key: "role") public var role: String
    @Parent(key: "org_unit_id") public var orgUnit: OrgUnitModel
    @OptionalParent(key: "department_id") public var department: DepartmentModel?
    @Column(key: "phone") public var phone: String?
    @Column(key: "active") public var active: Bool
    @Column(key: "failed_logins") public var failedLogins: Int
    @Column(key: "locked_until") public var lockedUntil: Date?
    @Column(key: "password_changed_at") public var passwordChangedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public var userRole: Role { Role(rawValue: role) ?? .citizen }

    public var lockout: LoginLockout {
        get { LoginLockout(failedAttempts: failedLogins, lockedUntil: lockedUntil) }
        set {
            failedLogins = newValue.failedAttempts
            lockedUntil = newValue.lockedUntil
        }
    }

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] {
        [_id, _username, _displayName, _passwordHash, _role, _orgUnit, _department, _phone, _active, _failedLogins, _lockedUntil,
         _passwordChangedAt, _createdAt, _updatedAt]
    }
}

/// Which grids a grid worker walks; a grid may have several workers.
public final class GridAssignmentModel: Model, @unchecked Sendable {
    public static let schema = "grid_assignments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "grid_id") public var grid: OrgUnitModel
    @Parent(key: "user_id") public var user: UserModel

    public init() {}

    public init(gridID: UUID, userID: UUID) {
        self.$grid.id = gridID
        self.$user.id = userID
    }
}
