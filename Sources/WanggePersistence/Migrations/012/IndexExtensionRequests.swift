import FluentKit
import SQLKit

/// The dispatcher's queue of extension requests (延期申请) asked for the newest cases with a request
/// pending, and no index held that flag: each page read every case, 0.5–5.4 s at a million cases,
/// most often to find none. This index holds the cases with a request pending only, so a report,
/// which has none, adds nothing to it.
struct IndexExtensionRequests: AsyncMigration {
    var name: String { "012_IndexExtensionRequests" }

    static let index = "idx_cases_extension_requested_id"
    /// The condition a query must repeat, word for word, for the index to serve it (`TRUE` is 1 in
    /// SQLite and a boolean in PostgreSQL).
    static let pending = "extension_requested = TRUE"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX \(ident: Self.index) ON \(ident: "cases") (\(ident: "id")) WHERE \(unsafeRaw: Self.pending)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: Self.index).run()
    }
}
