import Vapor

/// A request's query string decoded once. Each `req.query[String.self, at:]` decodes all of it again through
/// `URLEncodedFormDecoder`, even when there is none: the work list asked a dozen times (4% of its CPU), a queue page as
/// many. A query that is no flat map of strings (a key given twice, `a[]=`) is asked key by key as before.
struct QueryParameters {
    private let decoded: [String: String]?
    private let request: Request

    init(_ request: Request) {
        self.request = request
        if let query = request.url.query, !query.isEmpty {
            decoded = try? request.query.decode([String: String].self)
        } else {
            decoded = [:]
        }
    }

    subscript(_ key: String) -> String? {
        decoded.map { $0[key] } ?? request.query[String.self, at: key]
    }
}
