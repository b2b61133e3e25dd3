import FluentKit
import Foundation
import SQLKit

/// A person's notifications: pages newest first, the count of unread ones, and marking them read. A
/// county's dispatcher hears of every overdue case and every evaluation, so an inbox holds hundreds of
/// thousands over the years, most of them never opened one by one: nothing here reads them all.
public struct Inbox: Sendable {
    /// The header's badge counts this far and then shows "99+": it is read on every page a staff
    /// member opens, and an exact count reads every unread notification.
    public static let badgeCap = 100
    /// Notifications marked read per transaction, so a long inbox does not hold the writer (and the
    /// reports waiting for it) for seconds.
    static let readBatch = 2000

    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// One page, newest first, before the notification `before` (the cursor): migration 017's
    /// (user, id) index for all of them, the (user, read, id) index for the unread ones.
    public func page(of userID: UUID, unreadOnly: Bool, before: Int?, limit: Int) async throws -> [NotificationModel] {
        var query = NotificationModel.query(on: db).filter(\.$user.$id == userID)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        if let before { query = query.filter(\.$id < before) }
        return try await query.sort(\.$id, .descending).limit(limit).all()
    }

    /// How many are unread, counting no further than `cap` when one is given.
    public func unreadCount(of userID: UUID, upTo cap: Int? = nil) async throws -> Int {
        let unread: SQLQueryString = """
            SELECT 1 FROM \(ident: NotificationModel.schema) WHERE \(ident: "user_id") = \(bind: userID) AND \(ident: "read_at") IS NULL
            """
        let counted: SQLQueryString = cap.map { "SELECT COUNT(*) AS n FROM (\(unread) LIMIT \(bind: $0)) AS unread" }
            ?? "SELECT COUNT(*) AS n FROM (\(unread)) AS unread"
        return try await PlainReads.rows(counted, on: db).first?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Marks every unread notification read, oldest first, a batch per transaction; returns how many.
    public func markAllRead(of userID: UUID, at now: Date) async throws -> Int {
        var marked = 0
        while true {
            let ids = try await NotificationModel.query(on: db).filter(\.$user.$id == userID).filter(\.$readAt == nil)
                .sort(\.$id).limit(Self.readBatch).all(\.$id).compactMap { $0 }
            guard !ids.isEmpty else { return marked }
            try await NotificationModel.query(on: db).filter(\.$id ~~ ids).set(\.$readAt, to: now).update()
            marked += ids.count
            if ids.count < Self.readBatch { return marked }
        }
    }
}
