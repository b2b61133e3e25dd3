import FluentKit
import Foundation
import Synchronization
import WanggeDomain
import WanggePersistence

/// `<option>` elements written in Swift for the long lists (a county's 1,000 grids, 1,112 units):
/// Leaf's loop took some 20 µs an option, 40% of a dispatcher's case page, whose dispatch forms
/// each list every grid. Values and labels are escaped as Leaf's `#()` escapes them.
enum SelectOptions {
    static func html(_ options: [(value: String, label: String, selected: Bool)]) -> String {
        var out = ""
        out.reserveCapacity(options.reduce(0) { $0 + $1.value.utf8.count + $1.label.utf8.count + 36 })
        for option in options {
            out += "<option value=\"" + GridMapSVG.escape(option.value) + (option.selected ? "\" selected>" : "\">")
                + GridMapSVG.escape(option.label) + "</option>"
        }
        return out
    }

    /// `html` (options written by `html(_:)`, none selected) with the option of `value` selected.
    static func selecting(_ value: String, in html: String) -> String {
        let value = GridMapSVG.escape(value)
        guard let option = html.range(of: "<option value=\"" + value + "\">") else { return html }
        var out = html
        out.replaceSubrange(option, with: "<option value=\"" + value + "\" selected>")
        return out
    }
}

/// A dispatcher's grid choices on a case page, the grids of their area (a county's thousand) written as options once
/// per area for each reading of the catalogue (`CatalogNames.gridChoices`), so for five seconds at most and until this
/// instance changes a unit. Read and written again at every view, twice, they were three tenths of the page.
final class GridChoicesMemo: Sendable {
    private let byScope = Mutex<[String: String]>([:])

    func options(within scope: OrgScope, on db: any Database) async throws -> String {
        let key = "\(scope.level.rawValue):\(scope.code)"
        if let kept = byScope.withLock({ $0[key] }) { return kept }
        let grids = try await OrgUnitService(db: db).choices(within: scope, levels: [.grid])
        let html = SelectOptions.html(grids.map { ($0.code, "\($0.name)(\($0.code))", false) })
        byScope.withLock { $0[key] = html }
        return html
    }
}
