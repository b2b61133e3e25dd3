import Foundation
import Vapor
import WanggePersistence

/// The pages and lists whose work grows with an area rather than with one case (the overview, the command
/// screen, rankings, reports and their exports, the Open311 list, the admin's lists of every unit and user)
/// run on a lane of threads of their own (as many as cores), beside the event loops.
///
/// A request runs on its event loop from start to end, and so do its reads on SQLite (`SQLiteDirectReader`):
/// an overview's 18 ms held one of the two loops, and every request that loop had taken waited behind it. A
/// dispatcher opening the overview five times a second took a citizen's tracking from 4 to 13–17 ms at p99.
/// On the lane the loops keep answering, and the kernel shares the cores between them and the lane: with the
/// overview on the lane, tracking's p99 beside it was 5.6 ms. The lane runs at the loops' priority: at a lower one
/// (nice 5) tracking's p99 was the same and the overview, beside tracking at full speed, took 73–91 ms against 37–52.
enum HeavyPages {
    static let lane = WriterThread(name: "wangge-heavy", threads: ProcessInfo.processInfo.activeProcessorCount)
    /// The mark `getHeavy` leaves in a route's `userInfo`.
    static let mark = "wangge.heavy"

    /// `work` on the lane; the request's task-local values (its database handles) go with it.
    static func run<T>(_ work: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(lane, operation: work)
    }
}

extension RoutesBuilder {
    /// A GET route whose handler runs on the heavy pages' lane (`HeavyPages`).
    @discardableResult
    func getHeavy<Response: AsyncResponseEncodable>(_ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> Response)
        -> Route {
        let route = on(.GET, path) { req in try await HeavyPages.run { try await handler(req) } }
        route.userInfo[HeavyPages.mark] = true
        return route
    }
}
