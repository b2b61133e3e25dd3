import SQLKit
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// PostgreSQL vacuums the cases table after a half per cent of it changes (migration 025), so the pages of open cases are
/// marked all-visible within a day of a county's work, not after months, and counts read index entries alone.
final class CaseVacuumSettingsTests: XCTestCase {
    func testPostgreSQLVacuumsTheCasesTableAfterAHalfPerCentOfItChanges() async throws {
        try await withPostgresApp(demo: false) { t, sql in
            func options() async throws -> Set<String> {
                Set(try await sql.raw("SELECT unnest(reloptions) AS option FROM pg_class WHERE oid = 'cases'::regclass").all()
                    .map { try $0.decode(column: "option", as: String.self) })
            }
            let expected: Set = ["autovacuum_vacuum_scale_factor=0.005", "autovacuum_vacuum_insert_scale_factor=0.005"]
            let migrated = try await options()
            XCTAssertEqual(migrated, expected)
            try await VacuumCasesOften().revert(on: t.app.db)
            let reverted = try await options()
            XCTAssertEqual(reverted, [], "reverted to the server's defaults")
            try await VacuumCasesOften().prepare(on: t.app.db)
            let again = try await options()
            XCTAssertEqual(again, expected)
        }
    }
}
