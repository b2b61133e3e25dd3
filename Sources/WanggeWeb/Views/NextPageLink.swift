import Foundation
import Vapor

extension Request {
    /// This page's address with `after` set to the last row shown: the filters a list was opened with
    /// carry over to its next page, a notice of what was just saved does not.
    func urlOfNextPage(after last: String) -> String {
        var components = URLComponents(string: url.string) ?? URLComponents()
        var items = (components.queryItems ?? []).filter { $0.name != "after" && $0.name != "notice" }
        items.append(URLQueryItem(name: "after", value: last))
        components.queryItems = items
        return components.string ?? url.path
    }
}
