import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

struct QueryCodeCipherKey: StorageKey {
    typealias Value = RefreshingValue<QueryCodeCipher>
}

extension Application {
    /// The installation's query-code cipher (`QueryCodeKey`), read once: the key never changes.
    func queryCodeCipher(on db: any Database) async throws -> QueryCodeCipher {
        guard let cache = storage[QueryCodeCipherKey.self] else { return try await QueryCodeKey.cipher(on: db) }
        return try await cache.get { _ in try await QueryCodeKey.cipher(on: db) }
    }
}

extension Request {
    /// The case a query code opens, issued by this installation or drawn at random before its key.
    func trackedCase(_ queryCode: String, by queries: CaseQueryService) async throws -> TrackedCase {
        try await queries.track(queryCode: queryCode, cipher: application.queryCodeCipher(on: queries.db))
    }
}
