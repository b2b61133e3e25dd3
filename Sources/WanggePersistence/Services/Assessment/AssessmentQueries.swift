import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// Answers every assessment question from the rollups and gauges, never from the cases: the rows
/// read grow with the size of the answer (days, units, categories), not with the history. Reads of
/// the rollups and the gauges fold the rollup journal first (`RollupJournal`), so they count every report
/// made before.
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
            return scope.map { q.within($0, of: RollupModel.self) } ?? q
        }
    }

    public enum Breakdown: String, Sendable { case category, channel }

    /// A unit's totals per category or per channel over a period.
    public func breakdown(_ dimension: RollupDimension, _ unit: String, by breakdown: Breakdown, _ period: AssessmentPeriod) async throws -> [String: CaseCounts] {
        let cover = period.cover
        let (keyColumn, otherColumn) = breakdown == .category ? ("category_code", "channel") : ("channel", "category_code")
        var out: [String: CaseCounts] = [:]
        if !cover.months.isEmpty {
            let rows = try await counted(keyColumn) {
                $0.where("dimension", .equal, dimension.rawValue).where("unit_code", .equal, unit)
                    .where("period_kind", .equal, RollupPeriodKind.month.rawValue).where("period", .in, cover.months)
                    .where(otherColumn, .equal, "").where(keyColumn, .notEqual, "")
            }
            for row in rows { out[row.key, default: CaseCounts()] += row.counts }
        }
        if !cover.days.isEmpty {
            // Day rows carry category × channel (townships and above).
            let rows = try await counted(keyColumn) {
                $0.where("dimension", .equal, dimension.rawValue).where("unit_code", .equal, unit)
                    .where("period_kind", .equal, RollupPeriodKind.day.rawValue).where("period", .in, cover.days)
                    .where("category_code", .notEqual, "").where("channel", .notEqual, "")
            }
            for row in rows { out[row.key, default: CaseCounts()] += row.counts }
        }
        return out
    }

    /// A unit's counts per day (for trends), for every day in `days`, zeros included.
    public func daily(_ dimension: RollupDimension, _ unit: String, days: [String]) async throws -> [(day: String, counts: CaseCounts)] {
        let rows = try await counted("period") {
            $0.where("dimension", .equal, dimension.rawValue).where("unit_code", .equal, unit)
                .where("period_kind", .equal, RollupPeriodKind.day.rawValue).where("category_code", .equal, "").where("channel", .equal, "")
                .where("period", .greaterThanOrEqual, days.first ?? "").where("period", .lessThanOrEqual, days.last ?? "")
        }
        let byDay = Dictionary(rows.map { ($0.key, $0.counts) }, uniquingKeysWith: +)
        return days.map { ($0, byDay[$0] ?? CaseCounts()) }
    }

    /// Per-month totals of a unit for the given months (index history).
    public func monthly(_ dimension: RollupDimension, _ unit: String, months: [String]) async throws -> [String: CaseCounts] {
        guard !months.isEmpty else { return [:] }
        let rows = try await counted("period") {
            $0.where("dimension", .equal, dimension.rawValue).where("unit_code", .equal, unit)
                .where("period_kind", .equal, RollupPeriodKind.month.rawValue).where("period", .in, months)
                .where("category_code", .equal, "").where("channel", .equal, "")
        }
        return Dictionary(rows.map { ($0.key, $0.counts) }, uniquingKeysWith: +)
    }

    /// Open and overdue cases now, per unit of one level inside an area (the map).
    public func gauges(level: String, within scope: OrgScope?) async throws -> [String: (open: Int, overdue: Int)] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        try await RollupJournal.foldIfPending(on: db)
        var q = sql.select().columns("unit_code", "open_count", "overdue_count").from(OpenGaugeModel.schema)
            .where("dimension", .equal, RollupDimension.org.rawValue).where("unit_level", .equal, level)
        if let scope { q = q.within(scope, of: OpenGaugeModel.self) }
        var out: [String: (open: Int, overdue: Int)] = [:]
        for row in try await PlainReads.rows(q.select, on: db) {
            let unit = try row.decode(column: "unit_code", as: String.self)
            if out[unit] == nil {
                out[unit] = (try row.decode(column: "open_count", as: Int.self), try row.decode(column: "overdue_count", as: Int.self))
            }
        }
        return out
    }

    /// Open and overdue cases now in one unit.
    public func gauge(_ dimension: RollupDimension, _ unit: String) async throws -> (open: Int, overdue: Int) {
        guard let sql = db as? any SQLDatabase else { return (0, 0) }
        try await RollupJournal.foldIfPending(on: db)
        guard let row = try await sql.select().columns("open_count", "overdue_count").from(OpenGaugeModel.schema)
                .where("dimension", .equal, dimension.rawValue).where("unit_code", .equal, unit).limit(1).first()
        else { return (0, 0) }
        return (try row.decode(column: "open_count", as: Int.self), try row.decode(column: "overdue_count", as: Int.self))
    }

    /// Rollup rows as plain rows: one text column and the counters. Fluent's decoding of whole
    /// rollup models was a sixth of the dashboard's time.
    func counted(_ keyColumn: String, _ narrow: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [(key: String, counts: CaseCounts)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        try await RollupJournal.foldIfPending(on: db)
        let select = sql.select().column(keyColumn).column(Self.counters)
        return try await PlainReads.decoded(narrow(select.from(RollupModel.schema)).select, columns: [keyColumn] + RollupModel.counterColumns,
                                            as: KeyedCounts.self, on: db).map { ($0.key, $0.counts) }
    }

    /// The thirteen counters as one text, written once: as a column each, every statement escaped each name again
    /// through SQLKit's generic `replacing`, and the dashboard's five reads of them were 5% of its CPU. Both databases
    /// quote names with `"`.
    private static let counters = SQLRaw(RollupModel.counterColumns.map { "\"\($0)\"" }.joined(separator: ", "))

    /// Each counter summed under its own name. PostgreSQL sums BIGINT into NUMERIC; the cast brings it back to an
    /// integer on both databases.
    private static let summedCounters = SQLRaw(RollupModel.counterColumns.map { "CAST(SUM(\($0)) AS BIGINT) AS \"\($0)\"" }
        .joined(separator: ", "))

    /// Sums the all-category, all-channel rollup rows over a period's cover in the database, one row
    /// per unit (a thousand grids read as a thousand sums, not as their day rows).
    func sum(_ dimension: RollupDimension, _ period: AssessmentPeriod,
             _ narrow: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [String: CaseCounts] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        try await RollupJournal.foldIfPending(on: db)
        let cover = period.cover
        var out: [String: CaseCounts] = [:]
        for (kind, periods) in [(RollupPeriodKind.month, cover.months), (.day, cover.days)] where !periods.isEmpty {
            let select = sql.select().column("unit_code").column(Self.summedCounters).from(RollupModel.schema)
                .where("dimension", .equal, dimension.rawValue).where("category_code", .equal, "").where("channel", .equal, "")
                .where("period_kind", .equal, kind.rawValue).where("period", .in, periods)
            for row in try await PlainReads.decoded(narrow(select).groupBy("unit_code").select, columns: ["unit_code"] + RollupModel.counterColumns,
                                                    as: KeyedCounts.self, on: db) {
                out[row.key, default: CaseCounts()] = out[row.key, default: CaseCounts()] + row.counts
            }
        }
        return out
    }
}

/// A rollup row as the assessment reads it: a key (a unit, a category, a day) and the thirteen counters after it, read by
/// position: decoded by name, a ranking page of a thousand grids cost 5–8% more CPU (pairs at a million cases).
struct KeyedCounts: PositionallyDecodable {
    let key: String
    let counts: CaseCounts

    init<Row: PositionalRow>(positions row: Row) throws {
        key = try row.string(0)
        counts = CaseCounts(values: try (1..<row.count).map { try row.int($0) })
    }
}
