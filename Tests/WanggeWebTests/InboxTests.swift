import Fluent
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
@testable import WanggeWeb

/// A long inbox, as a county's dispatcher gathers over the years: the badge, the pages and reading it all.
final class InboxTests: XCTestCase {
    /// `count` notifications for `username`, oldest first; every `readEvery`-th one already read.
    private func fill(_ t: TestContext, _ username: String, count: Int, readEvery: Int? = nil) async throws {
        let found = try await UserModel.query(on: t.app.db).filter(\.$username == username).first()
        let user = try XCTUnwrap(found)
        let rows = try (1...count).map { i in
            let row = NotificationModel()
            row.$user.id = try user.requireID()
            row.kind = NotificationModel.Kind.overdue.rawValue
            row.caseCode = "330110-20261201-\(String(format: "%05d", i))"
            row.title = "事件超期:第\(i)件"
            row.body = "事件超期"
            row.createdAt = Date(timeIntervalSince1970: 1_764_000_000 + Double(i))
            row.readAt = readEvery.map { i % $0 == 0 } == true ? row.createdAt : nil
            return row
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await Array(rows[start..<min(start + 500, rows.count)]).create(on: t.app.db)
        }
    }

    private func badge(_ t: TestContext, _ username: String) async throws -> String? {
        var browser = Browser()
        try await t.signIn(username, &browser)
        let (status, page, _) = try await t.get("/work", &browser)
        XCTAssertEqual(status, .ok)
        guard let range = page.range(of: #"<span class="badge"[^>]*>[^<]*<"#, options: .regularExpression) else { return nil }
        return String(page[range].dropLast().split(separator: ">").last ?? "")
    }

    private func inbox(_ t: TestContext, _ token: String, _ query: String = "") async throws -> (unread: Int?, titles: [String], next: String?) {
        let body = try await t.api(.GET, "/api/v1/notifications" + query, token: token).body.json()
        return (body["unread"] as? Int, (body["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }, body["next"] as? String)
    }

    /// A page lists each notification with every field as stored: its kind, case, texts, times and whether it was read.
    func testAPageListsEachNotificationAsStored() async throws {
        try await withApp { t in
            try await fill(t, "dispatcher", count: 4, readEvery: 2)
            let stored = try await NotificationModel.query(on: t.app.db).sort(\.$id, .descending).all()
            let user = try XCTUnwrap(stored.first?.$user.id)
            let page = try await Inbox(db: t.app.db).page(of: user, unreadOnly: false, before: nil, limit: 3)
            XCTAssertEqual(page.map(\.id), stored.prefix(3).compactMap(\.id))
            for (item, row) in zip(page, stored) {
                XCTAssertEqual(item.kind, row.kind)
                XCTAssertEqual(item.caseCode, row.caseCode)
                XCTAssertEqual(item.title, row.title)
                XCTAssertEqual(item.body, row.body)
                XCTAssertEqual(item.createdAt, row.createdAt)
                XCTAssertEqual(item.readAt, row.readAt)
            }
            XCTAssertEqual(page.map { $0.readAt != nil }, [true, false, true], "the 4th and 2nd read")
            let unread = try await Inbox(db: t.app.db).page(of: user, unreadOnly: true, before: stored[0].id, limit: 10)
            XCTAssertEqual(unread.map(\.title), ["事件超期:第3件", "事件超期:第1件"])
        }
    }

    /// The inbox page lists each notification: the unread marked, a case's linked to its page, one without a case as
    /// plain text, markup in a title or body shown as text. An empty inbox says so.
    func testTheInboxPageMarksTheUnreadAndLinksEachCase() async throws {
        try await withApp { t in
            try await fill(t, "dispatcher", count: 2, readEvery: 2)
            let found = try await UserModel.query(on: t.app.db).filter(\.$username == "dispatcher").first()
            let plain = NotificationModel()
            plain.$user.id = try XCTUnwrap(found?.id)
            plain.kind = NotificationModel.Kind.overdue.rawValue
            plain.title = "<b>系统</b>通知"
            plain.body = "维护 & \"升级\""
            plain.createdAt = Date(timeIntervalSince1970: 1_764_000_100)
            try await plain.create(on: t.app.db)

            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            let (status, page, _) = try await t.get("/inbox", &browser)
            XCTAssertEqual(status, .ok)
            let list = try XCTUnwrap(page.firstMatch(of: /<ul class="inbox">(.*?)<\/ul>/).map { String($0.1) }, page)
            XCTAssertEqual(list, [
                #"<li class="unread">&lt;b&gt;系统&lt;/b&gt;通知<br><small>维护 &amp; &quot;升级&quot;</small></li>"#,
                #"<li><a href="/cases/330110-20261201-00002">事件超期:第2件</a><br><small>事件超期</small></li>"#,
                #"<li class="unread"><a href="/cases/330110-20261201-00001">事件超期:第1件</a><br><small>事件超期</small></li>"#,
            ].joined())

            var other = Browser()
            try await t.signIn("dispatcher-dh", &other)
            let (_, empty, _) = try await t.get("/inbox", &other)
            XCTAssertFalse(empty.contains("<ul class=\"inbox\">"), "no list without notifications")
            XCTAssertTrue(empty.contains(Strings.zh["noRows"]!), "an empty inbox says so")
        }
    }

    func testTheBadgeStopsAt99PlusAndALongInboxIsPagedAndReadInFull() async throws {
        try await withApp { t in
            try await fill(t, "dispatcher", count: 4500, readEvery: 3)
            try await fill(t, "dispatcher-dh", count: 5)

            let longBadge = try await badge(t, "dispatcher")
            XCTAssertEqual(longBadge, "99+")
            let shortBadge = try await badge(t, "dispatcher-dh")
            XCTAssertEqual(shortBadge, "5")

            // The badge's count stops at its cap; the API counts exactly and pages newest first, all of them or the unread only.
            let dispatcher = try await UserModel.query(on: t.app.db).filter(\.$username == "dispatcher").first()
            let capped = try await Inbox(db: t.app.db).unreadCount(of: XCTUnwrap(dispatcher?.id), upTo: Inbox.badgeCap)
            XCTAssertEqual(capped, 100)
            let token = try await t.token("dispatcher")
            let first = try await inbox(t, token)
            XCTAssertEqual(first.unread, 3000)
            XCTAssertEqual(first.titles, (4471...4500).reversed().map { "事件超期:第\($0)件" })
            let next = try XCTUnwrap(first.next)
            let second = try await inbox(t, token, "?after=\(next)")
            XCTAssertEqual(second.titles, (4441...4470).reversed().map { "事件超期:第\($0)件" })
            let unread = try await inbox(t, token, "?unread=true")
            XCTAssertEqual(unread.titles, (4456...4500).reversed().filter { $0 % 3 != 0 }.map { "事件超期:第\($0)件" })

            // Reading all marks every one of the 3,000 and nobody else's; they are then listed as read.
            let readAll = try await t.status(.POST, "/api/v1/notifications/read-all", token: token)
            XCTAssertEqual(readAll, .noContent)
            let after = try await inbox(t, token, "?unread=true")
            XCTAssertEqual(after.unread, 0)
            XCTAssertEqual(after.titles, [])
            let listed = try await t.api(.GET, "/api/v1/notifications", token: token).body.json()["items"] as? [[String: Any]] ?? []
            XCTAssertEqual(listed.count, 30)
            XCTAssertTrue(listed.allSatisfy { $0["read"] as? Bool == true }, "\(listed.first ?? [:])")
            let stillUnread = try await NotificationModel.query(on: t.app.db).filter(\.$readAt == nil).count()
            XCTAssertEqual(stillUnread, 5, "dispatcher-dh's five")
            let noBadge = try await badge(t, "dispatcher")
            XCTAssertNil(noBadge)

            // In batches smaller than the inbox, every one is marked too.
            try await fill(t, "dispatcher-dh", count: 2495)
            let other = try await UserModel.query(on: t.app.db).filter(\.$username == "dispatcher-dh").first()
            let otherID = try XCTUnwrap(other?.id)
            try await Inbox(db: t.app.db, readBatch: 1000).markAllRead(of: otherID, at: Date())
            let left = try await Inbox(db: t.app.db).unreadCount(of: otherID)
            XCTAssertEqual(left, 0)
        }
    }
}
