/// The people who use Wangge. Every signed-in user has exactly one role and one home org unit,
/// which is the root of everything they may see.
public enum Role: String, Sendable, Codable, CaseIterable {
    case citizen
    case gridWorker = "grid_worker"
    case dispatcher
    case handler
    case leader
    case admin

    public var nameZH: String {
        switch self {
        case .citizen: "群众"
        case .gridWorker: "网格员"
        case .dispatcher: "调度员"
        case .handler: "部门处置人员"
        case .leader: "领导"
        case .admin: "管理员"
        }
    }

    public var nameEN: String {
        switch self {
        case .citizen: "Citizen"
        case .gridWorker: "Grid worker"
        case .dispatcher: "Dispatcher"
        case .handler: "Department handler"
        case .leader: "Leader"
        case .admin: "Administrator"
        }
    }

    /// A handler works for a department; nobody else belongs to one.
    public var needsDepartment: Bool { self == .handler }

    /// Staff roles see the organisation; a citizen only sees their own reports.
    public var isStaff: Bool { self != .citizen }

    public var canAdminister: Bool { self == .admin }

    public static func parse(_ raw: String) throws -> Role {
        guard let role = Role(rawValue: raw) else {
            let known = Role.allCases.map(\.rawValue).joined(separator: ", ")
            throw AppError.invalid("user.role", zh: "未知的角色「\(raw)」,可选:\(known)。",
                                   en: "Unknown role \(raw); one of: \(known).", field: "role")
        }
        return role
    }
}
