import Vapor
import XCTest
import XCTVapor
@testable import WanggeWeb

/// The app's middleware runs as one stack (`AsyncMiddlewareStack`); each layer must still see the
/// request in order, wrap the layers inside it, be able to answer early, and see errors from inside.
final class AsyncMiddlewareStackTests: XCTestCase {
    /// Appends its name to a header on the way in and on the way out; answers 418 itself for `/stop-at-NAME`.
    struct Recorder: AsyncMiddleware {
        let name: String
        @TaskLocal static var depth = 0

        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            request.headers.add(name: "X-Trail", value: "in-\(name)")
            if request.url.path == "/stop-at-\(name)" { return Response(status: .imATeapot) }
            let response: Response
            do {
                response = try await Self.$depth.withValue(Self.depth + 1) { try await next.respond(to: request) }
            } catch {
                // An error from a deeper layer or the route passes through here, as it did through futures.
                return Response(status: .badGateway, body: .init(string: "\(name) caught \(error)"))
            }
            response.headers.add(name: "X-Trail", value: "out-\(name)")
            return response
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String { "route failed" } }

    func testLayersRunInOrderAnswerEarlyAndSeeErrors() async throws {
        let app = try await Application.make(.testing)
        do {
            app.middleware = Middlewares()
            app.middleware.use(AsyncMiddlewareStack([Recorder(name: "a"), Recorder(name: "b")]))
            app.get("route") { req async -> String in
                // Task-locals bound by the layers reach the route.
                (req.headers["X-Trail"] + ["depth-\(Recorder.depth)"]).joined(separator: ",")
            }
            app.get("fail") { _ async throws -> String in throw Failure() }
            try await app.testable().test(.GET, "/route") { res async in
                XCTAssertEqual(res.status, .ok)
                XCTAssertEqual(res.body.string, "in-a,in-b,depth-2")
                XCTAssertEqual(res.headers["X-Trail"], ["out-b", "out-a"])
            }
            try await app.testable().test(.GET, "/stop-at-b") { res async in
                XCTAssertEqual(res.status, .imATeapot)
                XCTAssertEqual(res.headers["X-Trail"], ["out-a"])
            }
            try await app.testable().test(.GET, "/fail") { res async in
                XCTAssertEqual(res.status, .badGateway)
                XCTAssertEqual(res.body.string, "b caught route failed")
                XCTAssertEqual(res.headers["X-Trail"], ["out-a"])
            }
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
