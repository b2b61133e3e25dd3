import Foundation
import Vapor

/// Serves the public directory (stylesheet, script) through Vapor's `FileMiddleware`, but asks it
/// only for paths under the directory's own top-level folders. Otherwise every API call and page
/// first had its path percent-decoded and looked up on disk, a few per cent of a tracking request.
struct StaticFilesMiddleware: AsyncMiddleware {
    private let files: FileMiddleware
    private let prefixes: [String]

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: publicDirectory)) ?? []
        prefixes = entries.filter { !$0.hasPrefix(".") }.map { "/" + $0 }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A request that matched a route is not for a file (no route lies under the public directory).
        guard request.route == nil else { return try await next.respond(to: request) }
        let path = request.routePath
        guard prefixes.contains(where: { path.hasPrefix($0) }) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
