import FluentKit
import Synchronization
import Vapor
import WanggeDomain
import WanggePersistence

/// A dispatcher's grid choices on a case page, the grids of their area (a county's thousand) written as options once
/// per area for each reading of the catalogue (`CatalogNames.gridChoices`), so for five seconds at most and until this
/// instance changes a unit. Read and written again at every view, twice, they were three tenths of the page.
final class GridChoicesMemo: Sendable {
    private let byScope = Mutex<[String: GridChoices]>([:])

    func choices(within scope: OrgScope, on db: any Database) async throws -> GridChoices {
        let key = "\(scope.level.rawValue):\(scope.code)"
        if let kept = byScope.withLock({ $0[key] }) { return kept }
        let grids = try await OrgUnitService(db: db).choices(within: scope, levels: [.grid])
        let choices = GridChoices(grids.map { (code: $0.code, label: "\($0.name)(\($0.code))") })
        byScope.withLock { $0[key] = choices }
        return choices
    }
}

/// The options in runs, each compressed once (`PrecompressedText`): a county's thousand were 88 KB of a dispatcher's
/// 100 KB case page, copied to select the case's grid, copied into the page and compressed again at every view. A
/// page carries the runs (`Request.carry`) but the one holding the case's grid, written out with that option selected.
struct GridChoices: Sendable {
    static let runLength = 100

    let runs: [PrecompressedText]
    private let runOfCode: [String: Int]

    init(_ grids: [(code: String, label: String)]) {
        var runOfCode: [String: Int] = [:]
        runs = stride(from: 0, to: grids.count, by: Self.runLength).map { start in
            let run = grids[start..<min(start + Self.runLength, grids.count)]
            for grid in run { runOfCode[grid.code] = start / Self.runLength }
            return PrecompressedText(SelectOptions.html(run.map { ($0.code, $0.label, false) }))
        }
        self.runOfCode = runOfCode
    }

    /// The options as `req`'s page writes them: marks for the runs, and the run holding `selected` with it selected.
    func html(selecting selected: String?, for req: Request) -> String {
        let selectedRun = selected.flatMap { runOfCode[$0] }
        var out = ""
        for (index, run) in runs.enumerated() {
            out += index == selectedRun ? SelectOptions.selecting(selected!, in: run.text) : req.carry(run)
        }
        return out
    }
}
