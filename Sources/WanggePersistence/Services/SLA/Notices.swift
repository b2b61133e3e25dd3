import FluentKit
import Foundation
import WanggeDomain

/// A message for the outside world (SMS later); the in-app inbox row is written in the case's
/// transaction, the notifier is called after it commits.
public struct NoticeMessage: Sendable, Equatable {
    public var username: String
    public var phone: String?
    public var kind: String
    public var caseCode: String
    public var title: String
}

public protocol Notifier: Sendable {
    func deliver(_ messages: [NoticeMessage]) async
}

/// Writes one line per message to a file: the stand-in for an SMS gateway.
public struct LogFileNotifier: Notifier {
    public let path: String

    public init(path: String) { self.path = path }

    public func deliver(_ messages: [NoticeMessage]) async {
        guard !messages.isEmpty else { return }
        let formatter = ISO8601DateFormatter()
        let lines = messages.map { "\(formatter.string(from: Date()))\t\($0.kind)\t\($0.username)\t\($0.caseCode)\t\($0.title)\n" }.joined()
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data(lines.utf8))
    }
}

/// Who must hear of what happened to a case, decided in one place.
public enum NoticeRouter {
    public static func kind(for action: CaseAction) -> NotificationModel.Kind? {
        switch action {
        case .dispatch, .reopen: .assignment
        case .remind: .reminder
        case .supervise: .supervision
        case .overdue: .overdue
        case .returnCase: .returned
        case .evaluate, .returnVisit: .evaluation
        case .escalate: .escalated
        default: nil
        }
    }

    /// The inbox rows an action sends and the messages for the notifier. Who receives them is read
    /// before the case's write transaction, which writes the rows (`PendingTransition`); the
    /// notifier is called once it commits.
    public static func notices(_ action: CaseAction, model: CaseModel, snapshot: CaseSnapshot, on db: any Database,
                               now: Date) async throws -> Notices {
        guard let kind = kind(for: action) else { return Notices() }
        let holders = try await holderUsers(snapshot, on: db)
        let centre = try await centreDispatchers(snapshot.centreOrgCode, on: db)
        let recipients: [UserModel] = switch kind {
        case .assignment, .reminder, .supervision: holders.isEmpty ? centre : holders
        case .overdue, .evaluation: holders + centre
        case .returned, .escalated: centre
        }
        var seen = Set<UUID>()
        var notices = Notices()
        let title = "\(titleZH(kind)):\(model.code) \(model.description.prefix(30))"
        for user in recipients {
            guard let id = user.id, seen.insert(id).inserted else { continue }
            let row = NotificationModel()
            row.$user.id = id
            row.kind = kind.rawValue
            row.caseCode = model.code
            row.title = title
            row.body = "事件 \(model.code)(\(snapshot.state.nameZH)):\(model.description.prefix(80))"
            row.createdAt = now
            notices.rows.append(row)
            notices.messages.append(NoticeMessage(username: user.username, phone: user.phone, kind: kind.rawValue, caseCode: model.code, title: title))
        }
        return notices
    }

    /// An action's inbox rows, and the messages sent once they are written.
    public struct Notices: Sendable {
        var rows: [NotificationModel] = []
        public var messages: [NoticeMessage] = []
    }

    static func titleZH(_ kind: NotificationModel.Kind) -> String {
        switch kind {
        case .assignment: "新派遣事件"
        case .reminder: "催办"
        case .supervision: "督办"
        case .overdue: "事件超期"
        case .returned: "事件被退回"
        case .evaluation: "收到评价"
        case .escalated: "事件提级"
        }
    }

    /// The people holding the case: the lead (and co-handling) departments' handlers, or the grid's workers.
    static func holderUsers(_ snapshot: CaseSnapshot, on db: any Database) async throws -> [UserModel] {
        var users: [UserModel] = []
        let departments = ([snapshot.leadDepartmentCode].compactMap { $0 } + snapshot.coDepartmentCodes)
        if !departments.isEmpty {
            let ids = try await DepartmentModel.query(on: db).filter(\.$code ~~ departments).all().compactMap(\.id)
            users += try await UserModel.query(on: db).filter(\.$department.$id ~~ ids).filter(\.$active == true)
                .filter(\.$role == Role.handler.rawValue).all()
        }
        if let grid = snapshot.assignedGridCode, let unit = try await OrgUnitModel.query(on: db).filter(\.$code == grid).first() {
            let assignments = try await GridAssignmentModel.query(on: db).filter(\.$grid.$id == unit.requireID()).with(\.$user).all()
            users += assignments.map(\.user).filter(\.active)
        }
        return users
    }

    static func centreDispatchers(_ centre: String, on db: any Database) async throws -> [UserModel] {
        guard let unit = try await OrgUnitModel.query(on: db).filter(\.$code == centre).first() else { return [] }
        return try await UserModel.query(on: db).filter(\.$orgUnit.$id == unit.requireID())
            .filter(\.$role == Role.dispatcher.rawValue).filter(\.$active == true).all()
    }
}
