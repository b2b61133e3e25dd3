import Vapor

extension Request {
    /// The request's path, read once. Vapor's `url.path` rebuilds it at every use, through Foundation's
    /// `replacingOccurrences`; three middlewares asked for it on every request, 2.5% of a case page.
    var routePath: String {
        if let read = storage[RequestPathKey.self] { return read }
        let read = url.path
        storage[RequestPathKey.self] = read
        return read
    }
}

private struct RequestPathKey: StorageKey {
    typealias Value = String
}
