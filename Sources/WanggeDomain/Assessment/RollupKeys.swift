import Foundation

/// Whose counts a rollup row holds.
public enum RollupDimension: String, Sendable, Codable, CaseIterable {
    case org
    case department = "dept"
    case worker
}

public enum RollupPeriodKind: String, Sendable, Codable {
    case day = "d"
    case month = "m"
}

/// One rollup row's identity. `""` for category or channel means "all of them".
public struct RollupKey: Sendable, Hashable, Comparable {
    public var dimension: RollupDimension
    public var unitCode: String
    public var periodKind: RollupPeriodKind
    /// `2026-11-23` for a day, `2026-11` for a month.
    public var period: String
    public var categoryCode: String
    public var channel: String

    public init(_ dimension: RollupDimension, _ unitCode: String, _ periodKind: RollupPeriodKind, _ period: String,
                categoryCode: String = "", channel: String = "") {
        self.dimension = dimension
        self.unitCode = unitCode
        self.periodKind = periodKind
        self.period = period
        self.categoryCode = categoryCode
        self.channel = channel
    }

    /// Rows are always upserted in this order, so two PostgreSQL transactions touching the same
    /// rows lock them in the same order and never deadlock.
    public static func < (a: RollupKey, b: RollupKey) -> Bool {
        (a.dimension.rawValue, a.unitCode, a.periodKind.rawValue, a.period, a.categoryCode, a.channel)
            < (b.dimension.rawValue, b.unitCode, b.periodKind.rawValue, b.period, b.categoryCode, b.channel)
    }
}

/// A row to add: the key, where its unit sits (for "units inside this area" queries) and the counts.
public struct RollupEntry: Sendable, Equatable {
    public var key: RollupKey
    public var unitLevel: String
    public var area: OrgAncestry
    public var counts: CaseCounts

    public init(key: RollupKey, unitLevel: String, area: OrgAncestry, counts: CaseCounts) {
        self.key = key
        self.unitLevel = unitLevel
        self.area = area
        self.counts = counts
    }
}

/// Which rows one event's tally goes to. Every level of the place's ancestry gets a day row and a
/// month row; villages and above also month rows by category and by channel; townships and above
/// day × category × channel. Every dashboard, ranking and report question then reads a few hundred
/// rows at most whatever the history, while the row count stays bounded by units × days (about four
/// million for a 1,000-grid county over three years, at one million cases or ten).
public enum RollupKeys {
    public struct Context: Sendable {
        public var placeCode: String
        public var categoryCode: String?
        public var channel: String
        public var at: Date
        public var timeZone: TimeZone
        /// The acting grid worker and their unit, when the actor is one.
        public var workerUsername: String?
        public var workerOrgCode: String?

        public init(placeCode: String, categoryCode: String?, channel: String, at: Date, timeZone: TimeZone,
                    workerUsername: String? = nil, workerOrgCode: String? = nil) {
            self.placeCode = placeCode
            self.categoryCode = categoryCode
            self.channel = channel
            self.at = at
            self.timeZone = timeZone
            self.workerUsername = workerUsername
            self.workerOrgCode = workerOrgCode
        }
    }

    public static func entries(_ tally: EventTally, _ c: Context) -> [RollupEntry] {
        guard !tally.isEmpty else { return [] }
        let (day, month) = periods(c.at, timeZone: c.timeZone)
        let category = c.categoryCode ?? RollupKeys.uncategorised
        var out: [RollupEntry] = []
        if tally.place != CaseCounts() {
            let ancestry = OrgCode.ancestry(of: c.placeCode)
            for level in OrgLevel.allCases {
                guard let code = ancestry[level] else { continue }
                let area = OrgCode.ancestry(of: code)
                func add(_ key: RollupKey) { out.append(RollupEntry(key: key, unitLevel: level.rawValue, area: area, counts: tally.place)) }
                add(RollupKey(.org, code, .day, day))
                add(RollupKey(.org, code, .month, month))
                if level <= .village {
                    add(RollupKey(.org, code, .month, month, categoryCode: category))
                    add(RollupKey(.org, code, .month, month, channel: c.channel))
                }
                if level <= .township {
                    add(RollupKey(.org, code, .day, day, categoryCode: category, channel: c.channel))
                }
            }
        }
        if let department = tally.departmentCode, tally.department != CaseCounts() {
            for key in [RollupKey(.department, department, .day, day), RollupKey(.department, department, .month, month),
                        RollupKey(.department, department, .month, month, categoryCode: category)] {
                out.append(RollupEntry(key: key, unitLevel: "department", area: OrgAncestry(), counts: tally.department))
            }
        }
        if let worker = c.workerUsername, tally.worker != CaseCounts() {
            let area = c.workerOrgCode.map { OrgCode.ancestry(of: $0) } ?? OrgAncestry()
            for key in [RollupKey(.worker, worker, .day, day), RollupKey(.worker, worker, .month, month)] {
                out.append(RollupEntry(key: key, unitLevel: "worker", area: area, counts: tally.worker))
            }
        }
        return merged(out)
    }

    /// Sums entries with the same key and sorts them (see `RollupKey.<`).
    public static func merged(_ entries: [RollupEntry]) -> [RollupEntry] {
        var byKey: [RollupKey: RollupEntry] = [:]
        for entry in entries {
            if var existing = byKey[entry.key] {
                existing.counts = existing.counts + entry.counts
                byKey[entry.key] = existing
            } else {
                byKey[entry.key] = entry
            }
        }
        return byKey.values.sorted { $0.key < $1.key }
    }

    /// The category code of cases not yet classified (`""` means all categories).
    public static let uncategorised = "-"

    /// `2026-11-23` and `2026-11` of a moment, in the installation's time zone. Plain arithmetic on
    /// days since 1970 (Hinnant's civil-from-days): the generator and the rebuild call it millions of times.
    public static func periods(_ date: Date, timeZone: TimeZone) -> (day: String, month: String) {
        let local = Int64((date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let (y, m, d) = civil(days)
        let month = pad(y, 4) + "-" + pad(m, 2)
        return (month + "-" + pad(d, 2), month)
    }

    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
