import FluentKit

struct CreateAuthSessions: AsyncMigration {
    var name: String { "001_CreateAuthSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuthSessionModel.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.createIndexes(on: AuthSessionModel.schema, [["user_id"], ["expires_at"]])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuthSessionModel.schema).delete()
    }
}
