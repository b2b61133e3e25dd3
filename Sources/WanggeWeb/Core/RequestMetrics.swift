import Prometheus
import Vapor

struct MetricsRegistryKey: StorageKey {
    typealias Value = PrometheusCollectorRegistry
}

extension Application {
    var metricsRegistry: PrometheusCollectorRegistry {
        stored(MetricsRegistryKey.self, orMake: PrometheusCollectorRegistry())
    }
}

/// One log line per request (method, path, status, milliseconds) and Prometheus counters and
/// latency histograms labelled by route pattern, so `/org-units/330110` and `/org-units/330111`
/// count as one route.
struct RequestMetricsMiddleware: AsyncMiddleware {
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(1000),
                                      .milliseconds(5000)]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            record(request, status: 500, elapsed: ContinuousClock.now - start)
            throw error
        }
        record(request, status: Int(response.status.code), elapsed: ContinuousClock.now - start)
        return response
    }

    private func record(_ request: Request, status: Int, elapsed: Duration) {
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        let method = request.method.rawValue
        let registry = request.application.metricsRegistry
        registry.makeCounter(name: "http_requests_total", labels: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        registry.makeDurationHistogram(name: "http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: Self.buckets).record(elapsed)
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        request.logger.info("\(method) \(request.url.path) \(status) \(String(format: "%.1f", ms))ms")
    }
}
