import Vapor

/// A request's query string decoded once. Each `req.query[String.self, at:]` decodes all of it again through
/// `URLEncodedFormDecoder`, even when there is none: the work list asked a dozen times (4% of its CPU), a queue page as
/// many. A plain query (`key=value` pairs, each key once, no brackets) is split here, as Vapor's parser would read it
/// (`+` a space, then percent-decoding): through the decoder it was a twentieth of a queue page. Any other query goes to
/// Vapor's decoder, and one that is no flat map of strings (a key given twice, `a[]=`) is asked key by key as before.
struct QueryParameters {
    private let decoded: [String: String]?
    private let request: Request

    init(_ request: Request) {
        self.request = request
        if let query = request.url.query, !query.isEmpty {
            decoded = Self.plain(query) ?? (try? request.query.decode([String: String].self))
        } else {
            decoded = [:]
        }
    }

    subscript(_ key: String) -> String? {
        decoded.map { $0[key] } ?? request.query[String.self, at: key]
    }

    /// The pairs of a plain query, or nil when it is not one.
    static func plain(_ query: String) -> [String: String]? {
        var values: [String: String] = [:]
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")),
                  let key = decoded(pair[..<equals]), !key.isEmpty, !key.contains("["), !key.contains("]"),
                  let value = decoded(pair[pair.index(after: equals)...]),
                  values.updateValue(value, forKey: key) == nil
            else { return nil }
        }
        return values
    }

    private static func decoded(_ bytes: Substring.UTF8View.SubSequence) -> String? {
        let text = String(Substring(bytes))
        let spaced = text.contains("+") ? text.replacingOccurrences(of: "+", with: " ") : text
        return spaced.contains("%") ? spaced.removingPercentEncoding : spaced
    }
}
