import FluentKit
import FluentSQL
import Foundation
import SQLKit
import WanggeDomain

/// How a person stands to a case: worked out once here from roles and assignments, then used by the
/// rules (`CaseMachine`) and by every read. An empty relation means the case does not exist for them.
public enum CaseAccess {
    public static func relation(of actor: Actor?, to model: CaseModel, snapshot: CaseSnapshot) -> CaseRelation {
        relation(of: actor, place: model.ancestry, snapshot: snapshot)
    }

    /// The same, from where the case lies and its snapshot alone.
    public static func relation(of actor: Actor?, place: OrgAncestry, snapshot: CaseSnapshot) -> CaseRelation {
        guard let actor else { return [] }
        var relation: CaseRelation = []
        let centre = OrgCode.ancestry(of: snapshot.centreOrgCode)
        if actor.username == snapshot.reporterUsername { relation.insert(.reporter) }
        if actor.username == snapshot.resultBy { relation.insert(.resultAuthor) }
        switch actor.role {
        case .dispatcher:
            if actor.canSee(centre) { relation.insert(.dispatcherInCharge) } else if actor.canSee(place) { relation.insert(.viewer) }
        case .leader:
            if actor.canSee(place) || actor.canSee(centre) { relation.insert(.leader) }
        case .admin:
            if actor.canSee(place) || actor.canSee(centre) { relation.insert(.viewer) }
        case .handler:
            if let department = actor.departmentCode {
                if department == snapshot.leadDepartmentCode { relation.insert(.leadHandler) }
                if snapshot.coDepartmentCodes.contains(department) { relation.insert(.coHandler) }
            }
        case .gridWorker:
            if let assigned = snapshot.assignedGridCode, actor.gridCodes.contains(assigned) { relation.insert(.assignedGridWorker) }
            if let grid = snapshot.gridCode {
                if actor.gridCodes.contains(grid) {
                    relation.insert(.caseGridWorker)
                } else if actor.gridCodes.contains(where: { $0.prefix(12) == grid.prefix(12) }), snapshot.resolvedOnSpot {
                    relation.insert(.villageGridWorker)
                }
            }
        case .citizen:
            break
        }
        return relation
    }

    /// Restricts a case query to what the actor may see (a superset for grid workers' village peers,
    /// which the relation check then narrows).
    ///
    /// `reportsFrom`: the smallest case id the query can match, when it asks for open states only
    /// (`CaseQueryService.oldestCase(in:)`). The cases a person reported are found in the (reporter, id)
    /// index, every one they ever filed; the bound starts that read at the oldest open case. A grid
    /// worker's map read all 261 of `grid1`'s reports at a million cases to find the few still open.
    public static func visible(_ query: CaseListQuery, to actor: Actor, reportsFrom: SQLQueryString? = nil) -> CaseListQuery {
        var mine: DatabaseQuery.Filter = .cases("reporter_username", .equal, .bind(actor.username))
        if let reportsFrom {
            mine = .group([mine, .sql(embed: "\(quoted: CaseModel.schema).\(quoted: "id") >= (\(reportsFrom))")], .and)
        }
        switch actor.role {
        case .dispatcher, .leader, .admin:
            let places = actor.scopes.map(CaseModel.filter(within:))
            return query.filter(.group(places + [.cases("centre_org_code", .equal, .bind(actor.orgCode))], .or))
        case .handler:
            // Every department of a case, the lead's too, has a row in `case_departments`
            // (`CaseTransitionService.step` writes them whenever the departments change). One lookup
            // in its (case, department) key checks each case that the list's own index brings up;
            // gathering the department's 350,000 rows first took 80 ms a page at a million cases.
            // A list with no queue walks those rows instead (`CaseQueryService.departmentPage`).
            return query.filter(.sql(embed: "EXISTS (\(departmentRow(of: "\(quoted: CaseModel.schema).\(quoted: "id")", for: actor)))"))
        case .gridWorker:
            return query.filter(.group([
                .cases("grid_code", in: actor.gridCodes), .cases("assigned_grid_code", in: actor.gridCodes),
                mine,
            ], .or))
        case .citizen:
            return query.filter(mine)
        }
    }

    /// The ids of the cases `visible` lets a grid worker or a citizen see, read from index entries alone (their grids',
    /// their assigned grids', their own reports'): a few thousand at most, where a search's matches run to tens of
    /// thousands. Nil for the roles that see whole areas or a department's cases, most of whose matches they see.
    static func visibleIDs(to actor: Actor) -> SQLQueryString? {
        var arms: [SQLQueryString] = [caseIDs(where: "reporter_username", "= \(bind: actor.username)")]
        switch actor.role {
        case .gridWorker where !actor.gridCodes.isEmpty:
            arms.insert(contentsOf: ["grid_code", "assigned_grid_code"].map { caseIDs(where: $0, "IN (\(binds: actor.gridCodes))") }, at: 0)
        case .gridWorker, .citizen: break
        case .dispatcher, .leader, .admin, .handler: return nil
        }
        return "\(SQLList(arms, separator: SQLRaw(" UNION ALL ")))"
    }

    /// What a search checks of each full-text match from its id (`id`) alone, before the case's row is read: among the
    /// ids a grid worker or a citizen may see (`visibleIDs`), or held by a handler's department (`departmentRow`). Nil
    /// for the roles that see whole areas, who see most matches. `visible`'s own filter still applies to the rows read.
    /// SQLite only (`INDEXED BY`).
    static func matchCheck(id: SQLQueryString, to actor: Actor) -> SQLQueryString? {
        // SQLite turns an EXISTS into a join, and read the case's row before the department's entry: a scalar subquery
        // is checked where the match's id is known. In the (department, case) index a department's entries lie together,
        // so the walk's lookups read the same few pages (JY's search for 路灯 at a million cases: 22.7 ms against 26.0 in the
        // (case, department) key SQLite chose, in pairs; 99 reading each match's row first).
        if actor.role == .handler {
            let index = SlimCaseIndexes.indexName(CaseDepartmentModel.schema, ["department_code", "case_id"])
            return "(\(departmentRow(of: id, for: actor, indexedBy: index)) LIMIT 1) IS NOT NULL"
        }
        // The `+` keeps the check out of the full-text index's own constraints, where each id would be looked up in
        // its lists one at a time.
        return visibleIDs(to: actor).map { "+\(id) IN (\($0))" }
    }

    /// The handler's department's row in `case_departments` for the case whose id is `caseID`: one lookup in the
    /// (case, department) key, or in `index` (SQLite's `INDEXED BY`).
    static func departmentRow(of caseID: SQLQueryString, for actor: Actor, indexedBy index: String? = nil) -> SQLQueryString {
        let indexed: SQLQueryString = index.map { " INDEXED BY \(quoted: $0)" } ?? ""
        return """
        SELECT 1 FROM \(quoted: CaseDepartmentModel.schema) AS \(quoted: "mine")\(indexed) WHERE \(quoted: "mine").\(quoted: "case_id") = \
        \(caseID) AND \(quoted: "mine").\(quoted: "department_code") = \(bind: actor.departmentCode ?? "-")
        """
    }

    /// `SELECT id FROM cases WHERE column condition`: read from the column's index alone where it has one.
    static func caseIDs(where column: String, _ condition: SQLQueryString) -> SQLQueryString {
        "SELECT \(quoted: "id") FROM \(quoted: CaseModel.schema) WHERE \(quoted: column) \(condition)"
    }
}

