import FluentKit
import SQLKit

struct AddOpen311: AsyncMigration {
    var name: String { "004_AddOpen311" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CategoryModel.schema).field("attributes", .string).update()
        try await database.schema(CaseModel.schema).field("attributes", .string).update()
        try await database.schema(APIClientModel.schema)
            .id()
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            .field("key_prefix", .string, .required)
            .field("active", .bool, .required)
            .field("requests_per_minute", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIClientModel.schema).delete()
    }
}
