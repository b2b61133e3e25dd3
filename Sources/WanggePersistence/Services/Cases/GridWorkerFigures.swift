import FluentKit
import FluentSQL
import Foundation
import SQLKit
import WanggeDomain

/// What a grid worker did since a time: the reports they filed, the cases they resolved on the spot,
/// and the results they checked on site (passed or sent back).
public struct GridWorkerFigures: Sendable, Equatable {
    public var reported: Int
    public var resolvedOnSpot: Int
    public var verified: Int
}

extension CaseQueryService {
    /// All three from the index of grid workers' events (migration 011), from `since` on. The reports were
    /// counted among the worker's cases: every case they ever filed was read to check its date, 261 for
    /// a worker of the generated county at a million cases, a millisecond of each page.
    public func gridWorkerFigures(_ username: String, since: Date) async throws -> GridWorkerFigures {
        let (report, onSpot) = (CaseAction.report.rawValue, CaseAction.resolveOnSpot.rawValue)
        let (pass, fail) = (CaseAction.verifyPass.rawValue, CaseAction.verifyFail.rawValue)
        // The three in one plain statement: as three Fluent counts each was a query builder (a model made for it), a
        // statement written out and a trip through SQLiteNIO's pool, three tenths of the grid worker's page. The
        // index's condition is written as in the index, not as a bound value: only then does SQLite know that the
        // index of grid workers' events holds every row asked for.
        let counts: SQLQueryString = """
            SELECT COALESCE(SUM(CASE WHEN \(quoted: "action") = \(bind: report) THEN 1 ELSE 0 END), 0) AS \(quoted: "reported"),
            COALESCE(SUM(CASE WHEN \(quoted: "action") = \(bind: onSpot) THEN 1 ELSE 0 END), 0) AS \(quoted: "on_spot"),
            COALESCE(SUM(CASE WHEN \(quoted: "action") IN (\(bind: pass), \(bind: fail)) THEN 1 ELSE 0 END), 0) AS \(quoted: "verified")
            FROM \(quoted: CaseEventModel.schema) WHERE \(unsafeRaw: IndexGridWorkerEvents.gridWorkersOnly)
            AND \(quoted: "actor_username") = \(bind: username) AND \(quoted: "action") IN (\(bind: report), \(bind: onSpot), \(bind: pass), \(bind: fail))
            AND \(quoted: "created_at") >= \(bind: since)
            """
        let row = try await PlainReads.rows(counts, on: db).first
        return GridWorkerFigures(reported: try row?.decode(column: "reported", as: Int.self) ?? 0,
                                 resolvedOnSpot: try row?.decode(column: "on_spot", as: Int.self) ?? 0,
                                 verified: try row?.decode(column: "verified", as: Int.self) ?? 0)
    }
}
