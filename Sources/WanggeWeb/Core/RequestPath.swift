import Vapor

extension Request {
    /// The request's path, read once. Vapor's `url.path` rebuilds it at every use, through Foundation's
    /// `replacingOccurrences`; three middlewares asked for it on every request, 2.5% of a case page.
    var routePath: String {
        storage[RequestPathKey.self, default: url.path]
    }
}

private struct RequestPathKey: StorageKey {
    typealias Value = String
}
