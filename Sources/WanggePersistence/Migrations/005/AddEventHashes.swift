import FluentKit

struct AddEventHashes: AsyncMigration {
    var name: String { "005_AddEventHashes" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseEventModel.schema).field("hash", .string).update()
        try await database.schema(CaseModel.schema).field("event_hash", .string).update()
    }

    func revert(on database: any Database) async throws {}
}
