import FluentKit
import SQLKit

/// The inbox lists a person's notifications newest first. Its only index was (user, read, id), which
/// serves the unread ones in order but not all of them: SQLite read every notification the person ever
/// had and sorted them for each page. A county's dispatcher hears of every overdue case and every
/// evaluation, hundreds of thousands over the years. In (user, id) order a page is that index's newest
/// entries, and a later page starts at its cursor. Notifications are written by dispatches, reminders,
/// overdue marks and evaluations, not by intake.
struct IndexNotificationsByUser: AsyncMigration {
    var name: String { "017_IndexNotificationsByUser" }

    func prepare(on database: any Database) async throws {
        try await database.createIndexes(on: NotificationModel.schema, [["user_id", "id"]])
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "idx_notifications_user_id_id").run()
    }
}
