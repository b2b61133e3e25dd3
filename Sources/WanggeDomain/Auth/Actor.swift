import Foundation

/// Who is acting: the signed-in user with what they may see. Built once per request and passed to
/// every service, so scoping is decided in one place.
public struct Actor: Sendable, Equatable {
    public var userID: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    /// The user's home unit (for a handler, the department's unit).
    public var orgCode: String
    public var orgLevel: OrgLevel
    public var departmentCode: String?
    /// Grids a grid worker walks.
    public var gridCodes: [String]

    public init(userID: UUID, username: String, displayName: String, role: Role, orgCode: String, orgLevel: OrgLevel,
                departmentCode: String? = nil, gridCodes: [String] = []) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.orgCode = orgCode
        self.orgLevel = orgLevel
        self.departmentCode = departmentCode
        self.gridCodes = gridCodes
    }

    /// The parts of the tree this actor may see. A grid worker sees the grids they walk (and nothing
    /// else of the tree); everyone else sees the subtree of their home unit.
    public var scopes: [OrgScope] {
        if role == .gridWorker, !gridCodes.isEmpty {
            return gridCodes.map { OrgScope(level: .grid, code: $0) }
        }
        return [OrgScope(level: orgLevel, code: orgCode)]
    }

    public func canSee(_ ancestry: OrgAncestry) -> Bool {
        scopes.contains { $0.contains(ancestry) }
    }

    /// Admins manage the organisation inside their own subtree only.
    public func requireAdmin() throws {
        guard role == .admin else { throw AppError.forbidden(zh: "只有管理员可以执行此操作。", en: "Only an administrator may do this.") }
    }
}
