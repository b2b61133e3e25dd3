import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// Recounts the rollups from the event log and the gauges and finished counts from the cases, to check the
/// maintained ones (`wangge rollups check`) or replace them (`wangge rollups rebuild`).
public struct RollupRebuild: Sendable {
    public let db: any Database
    public let timeZone: TimeZone

    public init(db: any Database, timeZone: TimeZone) {
        self.db = db
        self.timeZone = timeZone
    }

    public struct Recount: Sendable {
        public var rollups: [RollupKey: RollupEntry] = [:]
        public var gauges: [String: GaugeRow] = [:]
        public var finished: [FinishedCountKey: Int] = [:]
        public var cases = 0
        public var events = 0
    }

    public struct GaugeRow: Sendable, Equatable {
        public var dimension: String
        public var unitCode: String
        public var unitLevel: String
        public var area: OrgAncestry
        public var open: Int
        public var overdue: Int
    }

    /// Replays every case's events through the rules, in batches of cases.
    public func recount(batch: Int = 500) async throws -> Recount {
        var result = Recount()
        var lastID = 0
        while true {
            let cases = try await CaseModel.query(on: db).filter(\.$id > lastID).sort(\.$id).limit(batch).all()
            guard let last = cases.last?.id else { break }
            lastID = last
            let events = try await CaseEventModel.query(on: db).filter(\.$caseID ~~ cases.compactMap(\.id))
                .sort(\.$caseID).sort(\.$seq).all()
            let byCase = Dictionary(grouping: events, by: \.caseID)
            for model in cases {
                result.cases += 1
                try replay(byCase[model.id ?? -1] ?? [], channel: model.channel, into: &result)
                result.add(GaugeState(model))
            }
        }
        return result
    }

    func replay(_ events: [CaseEventModel], channel: String, into result: inout Recount) throws {
        guard let first = events.first else { return }
        var snapshot = try TapeJSONDecoder().decode(CaseSnapshot.self, from: first.payload)
        var sawOverdue = false
        for (i, event) in events.enumerated() {
            result.events += 1
            let before = snapshot
            if i > 0 {
                let command = try TapeJSONDecoder().decode(CaseCommand.self, from: event.payload)
                snapshot = try CaseMachine.apply(before, command, actorUsername: event.actorUsername ?? "")
            }
            let isOverdue = event.action == CaseAction.overdue.rawValue
            let entries = EventRollups.entries(for: event, before: before, after: snapshot, channel: channel,
                                               firstOverdue: isOverdue && !sawOverdue, timeZone: timeZone)
            if isOverdue { sawOverdue = true }
            RollupKeys.add(entries, to: &result.rollups)
        }
    }
}

extension RollupRebuild.Recount {
    /// A case's weight in the gauges, or in its finished state's counts.
    mutating func add(_ state: GaugeState) {
        for key in state.finishedCounts { finished[key, default: 0] += 1 }
        guard state.open else { return }
        for (dimension, code, level, area) in state.units {
            var row = gauges[dimension + "|" + code] ?? RollupRebuild.GaugeRow(dimension: dimension, unitCode: code, unitLevel: level, area: area, open: 0, overdue: 0)
            row.open += 1
            row.overdue += state.overdue ? 1 : 0
            gauges[dimension + "|" + code] = row
        }
    }
}

extension RollupRebuild {
    /// Every stored rollup row (zero rows dropped), gauge and finished count, for comparison.
    /// Reports still in the rollup journal are folded in first.
    public func stored() async throws -> (rollups: [RollupKey: CaseCounts], gauges: [String: GaugeRow], finished: [FinishedCountKey: Int]) {
        try await RollupJournal.foldIfPending(on: db)
        var rollups: [RollupKey: CaseCounts] = [:]
        for row in try await RollupModel.query(on: db).all() where row.counts != CaseCounts() {
            rollups[row.key] = row.counts
        }
        var gauges: [String: GaugeRow] = [:]
        for row in try await OpenGaugeModel.query(on: db).all() where row.openCount != 0 || row.overdueCount != 0 {
            gauges[row.dimension + "|" + row.unitCode] = GaugeRow(dimension: row.dimension, unitCode: row.unitCode, unitLevel: row.unitLevel,
                                                                    area: row.placeColumns, open: row.openCount, overdue: row.overdueCount)
        }
        var finished: [FinishedCountKey: Int] = [:]
        for row in try await FinishedCountModel.query(on: db).filter(\.$caseCount != 0).all() {
            finished[FinishedCountKey(dimension: row.dimension, unitCode: row.unitCode, state: row.state)] = row.caseCount
        }
        return (rollups, gauges, finished)
    }

    /// Differences between the stored rollups and a recount, as readable lines (empty when they agree).
    public func differences(_ recount: Recount) async throws -> [String] {
        let (rollups, gauges, finished) = try await stored()
        var lines: [String] = []
        let expected = recount.rollups.filter { $0.value.counts != CaseCounts() }
        for (key, entry) in expected where rollups[key] != entry.counts {
            lines.append("\(describe(key)): stored \(rollups[key].map { "\($0.values)" } ?? "none"), recount \(entry.counts.values)")
        }
        for (key, counts) in rollups where expected[key] == nil {
            lines.append("\(describe(key)): stored \(counts.values), recount none")
        }
        for (key, row) in recount.gauges where gauges[key] != row {
            lines.append("gauge \(key): stored \(gauges[key].map { "\($0.open)/\($0.overdue)" } ?? "none"), recount \(row.open)/\(row.overdue)")
        }
        for (key, row) in gauges where recount.gauges[key] == nil {
            lines.append("gauge \(key): stored \(row.open)/\(row.overdue), recount none")
        }
        for key in Set(finished.keys).union(recount.finished.keys) where finished[key] != recount.finished[key] {
            lines.append("finished \(key.dimension) \(key.unitCode) \(key.state): stored \(finished[key] ?? 0), recount \(recount.finished[key] ?? 0)")
        }
        return lines.sorted()
    }

    func describe(_ k: RollupKey) -> String {
        "\(k.dimension.rawValue) \(k.unitCode) \(k.periodKind.rawValue) \(k.period) cat=\(k.categoryCode) ch=\(k.channel)"
    }

    /// Replaces the stored rollups and gauges with the recount, in one transaction.
    public func replace(with recount: Recount) async throws {
        try await write(entries: recount.rollups.values.sorted { $0.key < $1.key }, gaugeRows: Array(recount.gauges.values), finished: recount.finished)
    }

    /// Replaces the stored rollups, gauges and finished counts (the generator's path: it counts while
    /// it makes cases).
    public func write(entries: [RollupEntry], gauges states: [GaugeState]) async throws {
        var tally = Recount()
        for state in states { tally.add(state) }
        try await write(entries: entries, gaugeRows: Array(tally.gauges.values), finished: tally.finished)
    }

    func write(entries: [RollupEntry], gaugeRows: [GaugeRow], finished: [FinishedCountKey: Int]) async throws {
        try await db.writeTransaction { tx in
            try await RollupModel.query(on: tx).delete()
            // The recount has the journal's reports from their events: folded later, they would count twice.
            try await (tx as? any SQLDatabase)?.delete(from: RollupJournal.table).run()
            try await OpenGaugeModel.query(on: tx).delete()
            try await FinishedCountModel.query(on: tx).delete()
            // The table is empty: plain multi-row inserts, no upsert needed.
            guard let sql = tx as? any SQLDatabase else { return }
            let columns = RollupLedger.rollupColumns
            var start = 0
            while start < entries.count {
                let end = min(start + 1000, entries.count)
                var insert = sql.insert(into: RollupModel.schema).columns(columns)
                for e in entries[start..<end] {
                    let k = e.key, a = e.area
                    var row: [any Encodable & Sendable] = [k.dimension.rawValue, k.unitCode, e.unitLevel, k.periodKind.rawValue, k.period,
                                                           k.categoryCode, k.channel, a.cityCode, a.countyCode, a.townshipCode, a.villageCode, a.gridCode]
                    row += e.counts.values
                    insert = insert.values(row)
                }
                try await insert.run()
                start = end
            }
            try await Self.insertGauges(gaugeRows, on: tx)
            for (key, count) in finished.sorted(by: { $0.key < $1.key }) where count != 0 {
                let row = FinishedCountModel()
                (row.dimension, row.unitCode, row.state, row.caseCount) = (key.dimension, key.unitCode, key.state, count)
                try await row.create(on: tx)
            }
        }
    }

    static func insertGauges(_ rows: [GaugeRow], on db: any Database) async throws {
        for row in rows.sorted(by: { ($0.dimension, $0.unitCode) < ($1.dimension, $1.unitCode) }) {
            let model = OpenGaugeModel()
            model.dimension = row.dimension
            model.unitCode = row.unitCode
            model.unitLevel = row.unitLevel
            model.placeColumns = row.area
            model.openCount = row.open
            model.overdueCount = row.overdue
            try await model.create(on: db)
        }
    }
}
