import FluentKit

struct CreateAccessLog: AsyncMigration {
    var name: String { "006_CreateAccessLog" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AccessLogModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("subject", .string, .required)
            .field("field", .string, .required)
            .field("client_address", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndexes(on: AccessLogModel.schema, [["created_at"], ["subject"]])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessLogModel.schema).delete()
    }
}
