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
    public static let readBatch = 4000

    public let db: any Database
    let readBatch: Int

    public init(db: any Database, readBatch: Int = Inbox.readBatch) {
        self.db = db
        self.readBatch = max(1, readBatch)
    }

    /// One page, newest first, before the notification `before` (the cursor): migration 017's
    /// (user, id) index for all of them, the (user, read, id) index for the unread ones.
    /// Read as plain rows: decoding each into its Fluent model (a walk of the model's fields by reflection) and
    /// reading through SQLiteNIO's pool was a sixth of the inbox page.
    public func page(of userID: UUID, unreadOnly: Bool, before: Int?, limit: Int) async throws -> [InboxItem] {
        var query = NotificationModel.query(on: db).filter(\.$user.$id == userID)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        if let before { query = query.filter(\.$id < before) }
        return try await PlainReads.rows(query.sort(\.$id, .descending).limit(limit), columns: InboxItem.columns, on: db).map(InboxItem.init)
    }

    /// How many are unread, counting no further than `cap` when one is given.
    public func unreadCount(of userID: UUID, upTo cap: Int? = nil) async throws -> Int {
        let unread = Self.unread(of: userID, selecting: "1")
        let counted: SQLQueryString = cap.map { "SELECT COUNT(*) AS n FROM (\(unread) LIMIT \(bind: $0)) AS unread" }
            ?? "SELECT COUNT(*) AS n FROM (\(unread)) AS unread"
        return try await PlainReads.rows(counted, on: db).first?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Marks read every notification unread when asked, oldest first, `readBatch` a transaction (4,000:
    /// about 30 ms of the writer on this machine). Measured at 300,000 unread (BENCHMARKS.md): one UPDATE
    /// held the writer 1.4–1.8 s, and a report waited all of it.
    public func markAllRead(of userID: UUID, at now: Date) async throws {
        let newest = try await PlainReads.rows(Self.unread(of: userID, selecting: "MAX(\(ident: "id")) AS newest"), on: db)
            .first?.decode(column: "newest", as: Int?.self)
        guard let newest else { return }
        let unread: SQLQueryString = "\(Self.unread(of: userID, selecting: "\(ident: "id")")) AND \(ident: "id") <= \(bind: newest)"
        repeat {
            try await db.writeTransaction { tx in
                guard let tx = tx as? any SQLDatabase else { return }
                try await tx.raw("""
                    UPDATE \(ident: NotificationModel.schema) SET \(ident: "read_at") = \(bind: now)
                    WHERE \(ident: "id") IN (\(unread) ORDER BY \(ident: "id") LIMIT \(bind: readBatch))
                    """).run()
            }
        } while try await !PlainReads.rows("\(unread) LIMIT 1" as SQLQueryString, on: db).isEmpty
    }

    /// `SELECT columns` over a person's unread notifications, read from the (user, read, id) index.
    private static func unread(of userID: UUID, selecting columns: SQLQueryString) -> SQLQueryString {
        """
        SELECT \(columns) FROM \(ident: NotificationModel.schema) WHERE \(ident: "user_id") = \(bind: userID) AND \(ident: "read_at") IS NULL
        """
    }
}

/// One notification as the inbox lists it.
public struct InboxItem: Sendable, Equatable {
    public let id: Int
    public let kind: String
    public let caseCode: String?
    public let title: String
    public let body: String
    public let createdAt: Date
    public let readAt: Date?

    static let columns = ["id", "kind", "case_code", "title", "body", "created_at", "read_at"]

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        kind = try row.decode(column: "kind", as: String.self)
        caseCode = try row.decode(column: "case_code", as: String?.self)
        title = try row.decode(column: "title", as: String.self)
        body = try row.decode(column: "body", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        readAt = try row.decode(column: "read_at", as: Date?.self)
    }
}
