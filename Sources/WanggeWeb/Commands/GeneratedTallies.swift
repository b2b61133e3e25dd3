import Foundation
import WanggeDomain
import WanggePersistence

/// One generated event's tally and where it counts, as small integers (indices into the
/// generator's grids, categories, channels and departments).
struct TallyRecord: Sendable {
    var tally: EventTally
    var grid: Int32
    var category: Int16
    var channel: Int8
    /// The lead department's index, or -1.
    var department: Int16
    /// Whether the grid's own worker acted (their counts then go to the worker rows).
    var byGridWorker: Bool
    /// Local day number (`RollupKeys.localDay`).
    var day: Int32
}

/// The generator's rollups: every event's tally added to the rows of `RollupKeys.templates` under
/// integer keys, turned into rollup rows at the end, a slice at a time. The same templates drive
/// `RollupKeys.entries`, so the rows equal what the live path writes (`rollups check` verifies it).
struct GeneratedTallies: Sendable {
    struct Key: Hashable, Sendable {
        var template: UInt8
        var unit: Int32
        var period: Int32
        var category: Int16
        var channel: Int8
    }

    struct Unit: Sendable {
        var dimension: RollupDimension
        var code: String
        var level: String
        var area: OrgAncestry
    }

    private var sums: [Key: CaseCounts] = [:]
    private var units: [Unit] = []
    /// Per grid: its unit index at each org level (city … grid), and its worker's.
    private var placeUnits: [[Int32]] = []
    private var workerUnits: [Int32] = []
    private var departmentUnits: [Int32] = []
    private let categories: [String]
    private let channels: [String]
    private let templates = RollupKeys.templates

    /// `workers[i]` is the username of the worker of `grids[i]`.
    init(grids: [String], workers: [String], categories: [String], channels: [String], departments: [String]) {
        self.categories = categories
        self.channels = channels
        var orgIndex: [String: Int32] = [:]
        for (grid, worker) in zip(grids, workers) {
            let ancestry = OrgCode.ancestry(of: grid)
            var levels: [Int32] = []
            for level in OrgLevel.allCases {
                let code = ancestry[level]!
                if orgIndex[code] == nil {
                    orgIndex[code] = Int32(units.count)
                    units.append(Unit(dimension: .org, code: code, level: level.rawValue, area: OrgCode.ancestry(of: code)))
                }
                levels.append(orgIndex[code]!)
            }
            placeUnits.append(levels)
            workerUnits.append(Int32(units.count))
            units.append(Unit(dimension: .worker, code: worker, level: "worker", area: ancestry))
        }
        for department in departments {
            departmentUnits.append(Int32(units.count))
            units.append(Unit(dimension: .department, code: department, level: "department", area: OrgAncestry()))
        }
    }

    var count: Int { sums.count }

    mutating func add(_ r: TallyRecord) {
        let month = Int32(RollupKeys.month(ofDay: Int64(r.day)))
        let zero = CaseCounts()
        let hasPlace = r.tally.place != zero
        let hasDepartment = r.department >= 0 && r.tally.department != zero
        let hasWorker = r.byGridWorker && r.tally.worker != zero
        for (i, template) in templates.enumerated() {
            let unit: Int32
            switch template.part {
            case .place(let level):
                guard hasPlace else { continue }
                unit = placeUnits[Int(r.grid)][level.depth]
            case .department:
                guard hasDepartment else { continue }
                unit = departmentUnits[Int(r.department)]
            case .worker:
                guard hasWorker else { continue }
                unit = workerUnits[Int(r.grid)]
            }
            let key = Key(template: UInt8(i), unit: unit, period: template.periodKind == .day ? r.day : month,
                          category: template.byCategory ? r.category : -1, channel: template.byChannel ? r.channel : -1)
            sums[key, default: zero] += RollupKeys.counts(template.part, of: r.tally)
        }
    }

    /// Room for about `count` rows, so the table is not copied into a larger one as it grows: the
    /// last of those copies, millions of entries, came while the writer waited.
    mutating func reserve(_ count: Int) {
        sums.reserveCapacity(count)
    }

    /// The rows' keys in the order a live installation adds them: by period (a month's row before
    /// its days', the days in order), then unit, category and channel. Live, a row is added with the
    /// first event of its period, so a month's rows lie together in the table, and the rows every
    /// report adds to and every dashboard reads are on few pages. In the unique index's order (unit
    /// first) this month's rows were spread over the whole table: at a million cases a report wrote
    /// 11.9 pages of rollup rows, against 4.5 at 10,000 (`scripts/walcensus`).
    func sortedKeys() -> [Key] {
        var rank = [Int](repeating: 0, count: units.count)
        for (position, index) in units.indices.sorted(by: { (units[$0].dimension.rawValue, units[$0].code) < (units[$1].dimension.rawValue, units[$1].code) }).enumerated() {
            rank[index] = position
        }
        let isDay = templates.map { $0.periodKind == .day }
        // Worked out once per key, not in every comparison.
        func order(_ key: Key) -> (Int64, Int, Int32, Int, Int16, Int8) {
            let day = isDay[Int(key.template)]
            let month = day ? RollupKeys.month(ofDay: Int64(key.period)) : Int64(key.period)
            return (month, day ? 1 : 0, day ? key.period : 0, rank[Int(key.unit)], key.category, key.channel)
        }
        return sums.keys.map { (order($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Some keys' rollup rows, in `RollupLedger.rollupColumns` order, as one flat array.
    func rows(_ keys: ArraySlice<Key>) -> [BulkValue] {
        var out: [BulkValue] = []
        out.reserveCapacity(keys.count * RollupLedger.rollupColumns.count)
        for key in keys {
            let template = templates[Int(key.template)]
            let unit = units[Int(key.unit)]
            let period = template.periodKind == .day ? RollupKeys.dayString(Int64(key.period)) : RollupKeys.monthString(Int64(key.period))
            let a = unit.area
            // Appended one by one: `out += [...]` made a heap array per part of every row.
            out.append(.text(unit.dimension.rawValue))
            out.append(.text(unit.code))
            out.append(.text(unit.level))
            out.append(.text(template.periodKind.rawValue))
            out.append(.text(period))
            out.append(.text(key.category >= 0 ? categories[Int(key.category)] : ""))
            out.append(.text(key.channel >= 0 ? channels[Int(key.channel)] : ""))
            out.append(.text(a.cityCode))
            out.append(.text(a.countyCode))
            out.append(.text(a.townshipCode))
            out.append(.text(a.villageCode))
            out.append(.text(a.gridCode))
            for count in sums[key]!.values { out.append(.int(count)) }
        }
        return out
    }
}
