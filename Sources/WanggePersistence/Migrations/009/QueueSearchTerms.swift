import FluentKit

/// The queue where a report's search terms wait until the index takes them in a batch
/// (`CaseSearchTerms`, `SearchTermIndexer`): one row per case, its terms separated by spaces.
/// Every case already in the index stays there; the queue starts empty.
struct QueueSearchTerms: AsyncMigration {
    var name: String { "009_QueueSearchTerms" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseSearchTerms.queue)
            .field("case_id", .int, .identifier(auto: false))
            .field("terms", .string, .required)
            .create()
    }

    /// Index what is queued first, or those cases are no longer found by their words.
    func revert(on database: any Database) async throws {
        try await SearchTermIndexer(db: database).drain()
        try await database.schema(CaseSearchTerms.queue).delete()
    }
}
