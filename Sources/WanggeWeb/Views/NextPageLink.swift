import Foundation
import Vapor

extension Request {
    /// This page's address with `after` set to the last row shown: the filters a list was opened with
    /// carry over to its next page.
    func urlOfNextPage(after last: String) -> String {
        var components = URLComponents(string: url.string) ?? URLComponents()
        var items = (components.queryItems ?? []).filter { $0.name != "after" }
        items.append(URLQueryItem(name: "after", value: last))
        components.queryItems = items
        return components.string ?? url.path
    }
}
