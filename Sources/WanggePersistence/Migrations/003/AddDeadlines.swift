import FluentKit
import SQLKit

struct AddDeadlines: AsyncMigration {
    var name: String { "003_AddDeadlines" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per ALTER TABLE.
        try await database.schema(CaseModel.schema).field("deadlines", .string, .required, .sql(.default("{}"))).update()
        for column in ["due_at", "blue_at", "yellow_at", "overdue_at"] {
            try await database.schema(CaseModel.schema).field(.string(column), .datetime).update()
        }
        try await database.schema(CaseModel.schema).field("auto_escalated", .bool, .required, .sql(.default(false))).update()
        try await database.createIndexes(on: CaseModel.schema, [["due_at"], ["overdue_at"]])

        try await database.schema(NotificationModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("case_code", .string)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await database.createIndexes(on: NotificationModel.schema, [["user_id", "read_at", "id"]])

        try await database.schema(SLARuleModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("category_code", .string)
            .field("urgency", .string)
            .field("policy", .string, .required)
            .create()

        try await database.schema(HolidayYearModel.schema)
            .field("year", .int, .identifier(auto: false))
            .field("data", .string, .required)
            .create()

        try await database.schema(JobLeaseModel.schema)
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in [JobLeaseModel.schema, HolidayYearModel.schema, SLARuleModel.schema, NotificationModel.schema] {
            try await database.schema(table).delete()
        }
    }
}
