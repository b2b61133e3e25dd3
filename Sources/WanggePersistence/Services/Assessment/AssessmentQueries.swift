import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// Answers every assessment question from the rollups and gauges, never from the cases: the rows
/// read grow with the size of the answer (days, units, categories), not with the history.
public struct AssessmentQueries: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// A unit's totals over a period (whole months from month rows, the rest from day rows).
    public func totals(_ dimension: RollupDimension, _ unit: String, _ period: AssessmentPeriod) async throws -> CaseCounts {
        try await byUnit(dimension, units: [unit], period).values.reduce(CaseCounts(), +)
    }

    /// Totals per unit, for a list of units (departments, or explicit units).
    public func byUnit(_ dimension: RollupDimension, units: [String], _ period: AssessmentPeriod) async throws -> [String: CaseCounts] {
        guard !units.isEmpty else { return [:] }
        return try await sum(dimension, period) { $0.where("unit_code", .in, units) }
    }

    /// Totals per unit of one level inside an area (rankings): every grid of a township, say.
    public func byLevel(_ dimension: RollupDimension, level: String, within scope: OrgScope?, _ period: AssessmentPeriod) async throws -> [String: CaseCounts] {
        try await sum(dimension, period) { q in
            let q = q.where("unit_level", .equal, level)
            return scope.map { q.where(SQLIdentifier(RollupModel.ancestorKey($0.level).description), .equal, $0.code) } ?? q
        }
    }

    public enum Breakdown: String, Sendable { case category, channel }

    /// A unit's totals per category or per channel over a period.
    public func breakdown(_ dimension: RollupDimension, _ unit: String, by breakdown: Breakdown, _ period: AssessmentPeriod) async throws -> [String: CaseCounts] {
        let cover = period.cover
        var out: [String: CaseCounts] = [:]
        func key(_ row: RollupModel) -> String { breakdown == .category ? row.categoryCode : row.channel }
        if !cover.months.isEmpty {
            let rows = try await RollupModel.query(on: db).filter(\.$dimension == dimension.rawValue).filter(\.$unitCode == unit)
                .filter(\.$periodKind == RollupPeriodKind.month.rawValue).filter(\.$period ~~ cover.months)
                .filter(breakdown == .category ? \.$channel : \.$categoryCode, .equal, "")
                .filter(breakdown == .category ? \.$categoryCode : \.$channel, .notEqual, "").all()
            for row in rows { out[key(row), default: CaseCounts()] = out[key(row), default: CaseCounts()] + row.counts }
        }
        if !cover.days.isEmpty {
            // Day rows carry category × channel (townships and above).
            let rows = try await RollupModel.query(on: db).filter(\.$dimension == dimension.rawValue).filter(\.$unitCode == unit)
                .filter(\.$periodKind == RollupPeriodKind.day.rawValue).filter(\.$period ~~ cover.days)
                .filter(\.$categoryCode != "").filter(\.$channel != "").all()
            for row in rows { out[key(row), default: CaseCounts()] = out[key(row), default: CaseCounts()] + row.counts }
        }
        return out
    }

    /// A unit's counts per day (for trends), for every day in `days`, zeros included.
    public func daily(_ dimension: RollupDimension, _ unit: String, days: [String]) async throws -> [(day: String, counts: CaseCounts)] {
        let rows = try await RollupModel.query(on: db).filter(\.$dimension == dimension.rawValue).filter(\.$unitCode == unit)
            .filter(\.$periodKind == RollupPeriodKind.day.rawValue).filter(\.$categoryCode == "").filter(\.$channel == "")
            .filter(\.$period >= days.first ?? "").filter(\.$period <= days.last ?? "").all()
        let byDay = Dictionary(rows.map { ($0.period, $0.counts) }, uniquingKeysWith: +)
        return days.map { ($0, byDay[$0] ?? CaseCounts()) }
    }

    /// Per-month totals of a unit for the given months (index history).
    public func monthly(_ dimension: RollupDimension, _ unit: String, months: [String]) async throws -> [String: CaseCounts] {
        let rows = try await RollupModel.query(on: db).filter(\.$dimension == dimension.rawValue).filter(\.$unitCode == unit)
            .filter(\.$periodKind == RollupPeriodKind.month.rawValue).filter(\.$period ~~ months)
            .filter(\.$categoryCode == "").filter(\.$channel == "").all()
        return Dictionary(rows.map { ($0.period, $0.counts) }, uniquingKeysWith: +)
    }

    /// Open and overdue cases now, per unit of one level inside an area (the map).
    public func gauges(level: String, within scope: OrgScope?) async throws -> [String: (open: Int, overdue: Int)] {
        var q = OpenGaugeModel.query(on: db).filter(\.$dimension == RollupDimension.org.rawValue).filter(\.$unitLevel == level)
        if let scope { q = q.within(scope) }
        // Three columns of up to a thousand rows: read only those.
        let rows = try await q.field(\.$id).field(\.$unitCode).field(\.$openCount).field(\.$overdueCount).all()
        return Dictionary(rows.map { ($0.unitCode, (open: $0.openCount, overdue: $0.overdueCount)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Open and overdue cases now in one unit.
    public func gauge(_ dimension: RollupDimension, _ unit: String) async throws -> (open: Int, overdue: Int) {
        let row = try await OpenGaugeModel.query(on: db).filter(\.$dimension == dimension.rawValue).filter(\.$unitCode == unit).first()
        return (row?.openCount ?? 0, row?.overdueCount ?? 0)
    }

    /// Sums the all-category, all-channel rollup rows over a period's cover in the database, one row
    /// per unit (a thousand grids read as a thousand sums, not as their day rows).
    func sum(_ dimension: RollupDimension, _ period: AssessmentPeriod,
             _ narrow: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [String: CaseCounts] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let cover = period.cover
        var out: [String: CaseCounts] = [:]
        for (kind, periods) in [(RollupPeriodKind.month, cover.months), (.day, cover.days)] where !periods.isEmpty {
            var select = sql.select().column("unit_code")
            for column in RollupModel.counterColumns {
                // PostgreSQL sums BIGINT into NUMERIC; the cast brings it back to an integer on both databases.
                select = select.column(SQLAlias(SQLRaw("CAST(SUM(\(column)) AS BIGINT)"), as: SQLIdentifier(column)))
            }
            select = select.from(RollupModel.schema)
                .where("dimension", .equal, dimension.rawValue).where("category_code", .equal, "").where("channel", .equal, "")
                .where("period_kind", .equal, kind.rawValue).where("period", .in, periods)
            for row in try await narrow(select).groupBy("unit_code").all() {
                let unit = try row.decode(column: "unit_code", as: String.self)
                let values = try RollupModel.counterColumns.map { try row.decode(column: $0, as: Int.self) }
                out[unit, default: CaseCounts()] = out[unit, default: CaseCounts()] + CaseCounts(values: values)
            }
        }
        return out
    }
}
