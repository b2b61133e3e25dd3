import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// Writes rollup rows and open-case gauges, inside the transaction of the case action that caused them
/// (a transition) or of the fold that takes them from the rollup journal (a report: `RollupJournal`): one
/// multi-row upsert each, rows in key order (see `RollupKey.<`).
public enum RollupLedger {
    public static let areaColumns = ["city_code", "county_code", "township_code", "village_code", "grid_code"]
    /// A rollup row's columns: key, unit level, the unit's place in the tree, then the counters.
    public static let rollupColumns = ["dimension", "unit_code", "unit_level", "period_kind", "period", "category_code", "channel"]
        + areaColumns + RollupModel.counterColumns

    /// Entries with equal keys are summed first: PostgreSQL refuses to update one row twice in a
    /// statement. Large lists go in several statements, within the bind limits.
    public static func add(_ unmerged: [RollupEntry], on db: any Database) async throws {
        try await add(unmerged, into: FluentRows(db: db))
    }

    static func add(_ unmerged: [RollupEntry], into rows: any RowSink) async throws {
        try await add(merged: RollupKeys.merged(unmerged), into: rows)
    }

    /// Entries already summed by key and in key order (`RollupKeys.merged`).
    static func add(merged entries: [RollupEntry], into rows: any RowSink) async throws {
        guard !entries.isEmpty else { return }
        var values: [BulkValue] = []
        values.reserveCapacity(entries.count * rollupColumns.count)
        for entry in entries {
            let k = entry.key, a = entry.area
            values += [.text(k.dimension.rawValue), .text(k.unitCode), .text(entry.unitLevel), .text(k.periodKind.rawValue), .text(k.period),
                       .text(k.categoryCode), .text(k.channel), .text(a.cityCode), .text(a.countyCode), .text(a.townshipCode),
                       .text(a.villageCode), .text(a.gridCode)]
            values += entry.counts.values.map { .int($0) }
        }
        try await rows.insert(rollupUpsert, values)
    }

    private static let rollupUpsert = BulkInsert.adding(
        to: RollupModel.schema, columns: rollupColumns, key: ["dimension", "unit_code", "period_kind", "category_code", "channel", "period"],
        counters: RollupModel.counterColumns)

    /// Moves a case's weight in the open-case gauges from where it was to where it is.
    public static func moveGauges(from before: GaugeState, to after: GaugeState, on db: any Database) async throws {
        try await moveGauges([(before, after)], into: FluentRows(db: db))
    }

    /// Several cases' moves in one upsert (a group of transitions written together).
    static func moveGauges(_ moves: [(from: GaugeState, to: GaugeState)], into sink: any RowSink) async throws {
        try await GaugeDeltas(moves).write(into: sink)
    }
}

/// What moves of cases change in the open-case gauges and the finished counts, summed per row: worked
/// out before a transaction (the rollup fold sums a chunk's reports on the server's background thread), written
/// in it by `write`, each list as one upsert in key order.
struct GaugeDeltas: Sendable {
    private typealias GaugeRow = (dimension: String, code: String, level: String, area: OrgAncestry, open: Int, overdue: Int)
    private var gauges: [GaugeRow] = []
    private var finished: [(key: FinishedCountKey, count: Int)] = []

    /// A gauge row's identity among the deltas.
    private struct UnitKey: Hashable {
        let dimension: String
        let code: String
    }

    init(_ moves: [(from: GaugeState, to: GaugeState)]) {
        var deltas: [UnitKey: GaugeRow] = [:]
        var finishedDeltas: [FinishedCountKey: Int] = [:]
        func add(_ state: GaugeState, sign: Int) {
            for key in state.finishedCounts { finishedDeltas[key, default: 0] += sign }
            guard state.open else { return }
            let overdue = state.overdue ? sign : 0
            for (dimension, code, level) in state.unitCodes {
                // A row already moved (most are: a county's, a township's) is found by one hash and moved in place; only a
                // new one works out its area. Keyed by joined text, looked up twice, every unit's area worked out first,
                // the fold's gauge moves were 1.7% of the server's samples under full intake (0.6% so).
                let key = UnitKey(dimension: dimension, code: code)
                if let index = deltas.index(forKey: key) {
                    deltas.values[index].open += sign
                    deltas.values[index].overdue += overdue
                } else {
                    deltas[key] = (dimension, code, level, GaugeState.area(dimension: dimension, code: code), sign, overdue)
                }
            }
        }
        for move in moves where move.from != move.to {
            add(move.from, sign: -1)
            add(move.to, sign: 1)
        }
        gauges = deltas.values.filter { $0.open != 0 || $0.overdue != 0 }.sorted { ($0.dimension, $0.code) < ($1.dimension, $1.code) }
        finished = finishedDeltas.filter { $0.value != 0 }.map { (key: $0.key, count: $0.value) }.sorted { $0.key < $1.key }
    }

    func write(into sink: any RowSink) async throws {
        if !gauges.isEmpty {
            try await sink.insert(Self.gaugeUpsert, gauges.flatMap { row -> [BulkValue] in
                [.text(row.dimension), .text(row.code), .text(row.level), .text(row.area.cityCode), .text(row.area.countyCode),
                 .text(row.area.townshipCode), .text(row.area.villageCode), .text(row.area.gridCode), .int(row.open), .int(row.overdue)]
            })
        }
        if !finished.isEmpty {
            try await sink.insert(Self.finishedUpsert, finished.flatMap { [.text($0.key.dimension), .text($0.key.unitCode), .text($0.key.state), .int($0.count)] })
        }
    }

    private static let gaugeUpsert = BulkInsert.adding(
        to: OpenGaugeModel.schema, columns: ["dimension", "unit_code", "unit_level"] + RollupLedger.areaColumns + ["open_count", "overdue_count"],
        key: ["dimension", "unit_code"], counters: ["open_count", "overdue_count"])

    private static let finishedUpsert = BulkInsert.adding(
        to: FinishedCountModel.schema, columns: ["dimension", "unit_code", "state", "case_count"],
        key: ["dimension", "unit_code", "state"], counters: ["case_count"])
}

/// What a case weighs in the open-case gauges: one open case (and one overdue, when its red lamp is
/// lit) at every level of its place and at its lead department; when finished, one case in its
/// finished state's count there instead (`FinishedCountModel`).
public struct GaugeState: Sendable, Equatable {
    public var placeCode: String?
    public var departmentCode: String?
    public var open: Bool
    public var overdue: Bool
    /// The state of a finished case; nil for an open one (and for no case at all).
    public var finished: CaseState?

    public init(placeCode: String?, departmentCode: String?, state: CaseState, overdue: Bool) {
        self.placeCode = placeCode
        self.departmentCode = departmentCode
        self.open = state.isOpen
        self.overdue = open && overdue
        self.finished = state.isOpen ? nil : state
    }

    public init(_ model: CaseModel) {
        self.init(placeCode: model.ancestry.deepestCode, departmentCode: model.leadDepartmentCode,
                  state: model.caseState, overdue: model.overdueAt != nil)
    }

    /// Before a case exists.
    private init() {
        (placeCode, departmentCode, open, overdue, finished) = (nil, nil, false, false, nil)
    }

    static let none = GaugeState()

    /// The finished counts a finished case adds one to: its state at each of its units (none when open).
    var finishedCounts: [FinishedCountKey] {
        guard let finished else { return [] }
        return unitCodes.map { FinishedCountKey(dimension: $0.0, unitCode: $0.1, state: finished.rawValue) }
    }

    /// The units it weighs at, each with its area (`area(dimension:code:)`).
    var units: [(String, String, String, OrgAncestry)] {
        unitCodes.map { ($0.0, $0.1, $0.2, Self.area(dimension: $0.0, code: $0.1)) }
    }

    /// The units it weighs at: each one's dimension, code and level.
    var unitCodes: [(String, String, String)] {
        var out: [(String, String, String)] = []
        if let placeCode {
            let ancestry = OrgCode.ancestry(of: placeCode)
            for level in OrgLevel.allCases {
                if let code = ancestry[level] { out.append((RollupDimension.org.rawValue, code, level.rawValue)) }
            }
        }
        if let departmentCode { out.append((RollupDimension.department.rawValue, departmentCode, "department")) }
        return out
    }

    /// A unit's area, as its gauge row keeps it: a place's own ancestry; none for a department.
    static func area(dimension: String, code: String) -> OrgAncestry {
        dimension == RollupDimension.org.rawValue ? OrgCode.ancestry(of: code) : OrgAncestry()
    }
}

/// A row of `finished_counts`.
public struct FinishedCountKey: Hashable, Comparable, Sendable {
    public var dimension: String
    public var unitCode: String
    public var state: String

    public static func < (a: Self, b: Self) -> Bool { (a.dimension, a.unitCode, a.state) < (b.dimension, b.unitCode, b.state) }
}
