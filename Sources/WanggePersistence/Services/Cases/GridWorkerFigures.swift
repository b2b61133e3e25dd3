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
    public func gridWorkerFigures(_ username: String, since: Date) async throws -> GridWorkerFigures {
        let reported = try await CaseModel.query(on: db).filter(\.$reporterUsername == username).filter(\.$createdAt >= since).count()
        func steps(_ actions: [CaseAction]) async throws -> Int {
            // The condition as written in the index, not as a bound value: only then does SQLite
            // know that the index of grid workers' events holds every row asked for.
            try await CaseEventModel.query(on: db).filter(.sql(embed: "\(unsafeRaw: IndexGridWorkerEvents.gridWorkersOnly)"))
                .filter(\.$actorUsername == username).filter(\.$action ~~ actions.map(\.rawValue)).filter(\.$createdAt >= since).count()
        }
        return GridWorkerFigures(reported: reported, resolvedOnSpot: try await steps([.resolveOnSpot]),
                                 verified: try await steps([.verifyPass, .verifyFail]))
    }
}
