import FluentKit
import Synchronization
import WanggeDomain
import WanggePersistence

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
