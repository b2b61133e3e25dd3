import Fluent
import SQLKit
import Vapor

/// `/healthz` for load balancers (200 only while the database answers) and `/metrics` for Prometheus.
struct HealthController: RouteCollection {
    struct Health: Content {
        var status: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("metrics", use: metrics)
        routes.get("api", "v1", "ping", use: ping)
    }

    @Sendable func health(req: Request) async throws -> Response {
        let ok: Bool
        do {
            if let sql = req.database as? any SQLDatabase {
                try await sql.raw("SELECT 1").run()
            }
            ok = true
        } catch {
            req.logger.warning("health check: database unreachable: \(String(reflecting: error))")
            ok = false
        }
        let response = Response(status: ok ? .ok : .serviceUnavailable)
        try response.content.encode(Health(status: ok ? "ok" : "unavailable"), as: .json)
        return response
    }

    struct Pong: Content {
        var pong: Bool
    }

    /// The cheapest JSON answer: the framework's ceiling in benchmarks.
    @Sendable func ping(req: Request) async throws -> Pong { Pong(pong: true) }

    @Sendable func metrics(req: Request) async throws -> Response {
        var buffer: [UInt8] = []
        req.application.metricsRegistry.emit(into: &buffer)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(data: Data(buffer)))
    }
}
