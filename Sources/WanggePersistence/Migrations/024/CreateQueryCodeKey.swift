import FluentKit
import Foundation

/// The installation's query-code key (`QueryCodeKey`), drawn once. Codes issued before it (drawn at random,
/// stored as their plain hash) are still found through their hash.
struct CreateQueryCodeKey: AsyncMigration {
    var name: String { "024_CreateQueryCodeKey" }

    func prepare(on database: any Database) async throws {
        let settings = SettingsService(db: database)
        guard try await settings.get(QueryCodeKey.setting, as: String.self) == nil else { return }
        try await settings.set(QueryCodeKey.setting, QueryCodeKey.newKey(), by: "system", at: Date())
    }

    /// Codes issued under the key can no longer be followed once it is gone.
    func revert(on database: any Database) async throws {
        try await SettingsService(db: database).remove(QueryCodeKey.setting)
    }
}
