import FluentKit

/// The rollup journal (`RollupJournal`): a report's rollup entries wait here as a line of text each,
/// one row per group of reports, until they are added to the rollups in batches. Each report
/// upserted about thirteen rollup rows in its own commit, a third of the intake writer's time
/// (BENCHMARKS.md, "Reports' rollups added in batches").
struct CreateRollupJournal: AsyncMigration {
    var name: String { "022_CreateRollupJournal" }

    func prepare(on database: any Database) async throws {
        try await database.schema(RollupJournal.table)
            .field("id", .int, .identifier(auto: true))
            .field("tallies", .string, .required)
            .create()
    }

    /// Folds what waits into the rollups first: dropped unfolded, those reports would be missing from them.
    func revert(on database: any Database) async throws {
        try await RollupJournalFolder(db: database).drain()
        try await database.schema(RollupJournal.table).delete()
    }
}
