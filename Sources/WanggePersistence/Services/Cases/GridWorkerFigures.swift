import FluentKit
import FluentSQL
import Foundation
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
        func steps(_ actions: [CaseAction]) async throws -> Int {
            // The condition as written in the index, not as a bound value: only then does SQLite
            // know that the index of grid workers' events holds every row asked for.
            try await CaseEventModel.query(on: db).filter(.sql(embed: "\(unsafeRaw: IndexGridWorkerEvents.gridWorkersOnly)"))
                .filter(\.$actorUsername == username).filter(\.$action ~~ actions.map(\.rawValue)).filter(\.$createdAt >= since).count()
        }
        return GridWorkerFigures(reported: try await steps([.report]), resolvedOnSpot: try await steps([.resolveOnSpot]),
                                 verified: try await steps([.verifyPass, .verifyFail]))
    }
}
