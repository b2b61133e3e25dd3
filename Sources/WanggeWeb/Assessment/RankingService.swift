import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// What can be ranked inside an area.
enum RankingLevel: String, CaseIterable, Sendable {
    case township, village, grid, department, worker

    var nameZH: String {
        switch self {
        case .township: "乡镇(街道)"
        case .village: "村(社区)"
        case .grid: "网格"
        case .department: "职能部门"
        case .worker: "网格员"
        }
    }

    var orgLevel: OrgLevel? { OrgLevel(rawValue: rawValue) }

    /// The levels that make sense below an area of `level`.
    static func below(_ level: OrgLevel) -> [RankingLevel] {
        allCases.filter { ranking in ranking.orgLevel.map { $0 > level } ?? (level <= .township) }
    }
}

/// Builds ranking entries (every unit of the level inside the area, zeros included) from the rollups.
struct RankingService {
    let db: any Database

    func entries(_ level: RankingLevel, in area: OrgUnitModel, period: AssessmentPeriod) async throws -> [RankingEntry] {
        let queries = AssessmentQueries(db: db)
        switch level {
        case .township, .village, .grid:
            let units = try await OrgUnitService(db: db).choices(within: area.scope, levels: level.orgLevel.map { [$0] } ?? [])
            let counts = try await queries.byLevel(.org, level: level.rawValue, within: area.scope, period)
            return units.map { RankingEntry(code: $0.code, name: $0.name, counts: counts[$0.code] ?? CaseCounts()) }
        case .department:
            // The departments of the area, of the units above it (a county bureau serves its townships) and below it.
            let all = try await DepartmentModel.query(on: db).with(\.$orgUnit).filter(\.$active == true).all()
            let departments = all.filter { d in
                area.scope.contains(d.orgUnit.ancestry) || area.ancestry[d.orgUnit.orgLevel] == d.orgUnit.code
            }
            let counts = try await queries.byUnit(.department, units: departments.map(\.code), period)
            return departments.map { RankingEntry(code: $0.code, name: $0.name, counts: counts[$0.code] ?? CaseCounts()) }
        case .worker:
            let unitIDs = try await OrgUnitModel.query(on: db).within(area.scope).all(\.$id)
            let workers = try await UserModel.query(on: db).filter(\.$role == Role.gridWorker.rawValue).filter(\.$active == true)
                .filter(\.$orgUnit.$id ~~ unitIDs).all()
            let counts = try await queries.byLevel(.worker, level: "worker", within: area.scope, period)
            return workers.map { RankingEntry(code: $0.username, name: $0.displayName, counts: counts[$0.username] ?? CaseCounts()) }
        }
    }
}
