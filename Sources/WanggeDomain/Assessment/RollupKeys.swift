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
    /// Field by field, each by its UTF-8 bytes: any fixed total order prevents the deadlock, and
    /// Swift's Unicode-aware string order cost an intake group sorting a thousand keys dearly.
    public static func < (a: RollupKey, b: RollupKey) -> Bool {
        order(a, b) == .orderedAscending
    }

    /// `<` and `==` in one pass, for merging sorted lists.
    static func order(_ a: RollupKey, _ b: RollupKey) -> ComparisonResult {
        if a.dimension != b.dimension { return order(a.dimension.rawValue, b.dimension.rawValue) }
        var result = order(a.unitCode, b.unitCode)
        if result != .orderedSame { return result }
        if a.periodKind != b.periodKind { return order(a.periodKind.rawValue, b.periodKind.rawValue) }
        result = order(a.period, b.period)
        if result != .orderedSame { return result }
        result = order(a.categoryCode, b.categoryCode)
        return result != .orderedSame ? result : order(a.channel, b.channel)
    }

    /// Two strings by their UTF-8 bytes, as `memcmp` orders them (SQLite's order for text too). The
    /// generic `utf8.lexicographicallyPrecedes` went byte by byte through protocol witnesses: a tenth of
    /// the time the intake spent merging and sorting rollup entries, on the writer's thread among others.
    static func order(_ a: String, _ b: String) -> ComparisonResult {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> ComparisonResult in
                let common = min(x.count, y.count)
                let bytes = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                if bytes != 0 { return bytes < 0 ? .orderedAscending : .orderedDescending }
                return x.count == y.count ? .orderedSame : (x.count < y.count ? .orderedAscending : .orderedDescending)
            }
        }
        if let fast = fast ?? nil { return fast }
        if a.utf8.elementsEqual(b.utf8) { return .orderedSame }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? .orderedAscending : .orderedDescending
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

    /// One kind of row: whose counts it takes (the place's unit at a level, the lead department or
    /// the acting grid worker), over which period, split by category and/or channel or not.
    public struct Template: Sendable, Equatable {
        public enum Part: Sendable, Equatable {
            case place(OrgLevel)
            case department
            case worker
        }

        public var part: Part
        public var periodKind: RollupPeriodKind
        public var byCategory = false
        public var byChannel = false
    }

    /// Every kind of row an event can add to, in one list: `entries` walks it, and so does the
    /// generator's integer-keyed tally, so both produce the same rows.
    public static let templates: [Template] = {
        var out: [Template] = []
        for level in OrgLevel.allCases {
            out.append(Template(part: .place(level), periodKind: .day))
            out.append(Template(part: .place(level), periodKind: .month))
            if level <= .village {
                out.append(Template(part: .place(level), periodKind: .month, byCategory: true))
                out.append(Template(part: .place(level), periodKind: .month, byChannel: true))
            }
            if level <= .township {
                out.append(Template(part: .place(level), periodKind: .day, byCategory: true, byChannel: true))
            }
        }
        out.append(Template(part: .department, periodKind: .day))
        out.append(Template(part: .department, periodKind: .month))
        out.append(Template(part: .department, periodKind: .month, byCategory: true))
        out.append(Template(part: .worker, periodKind: .day))
        out.append(Template(part: .worker, periodKind: .month))
        return out
    }()

    /// The counts of the tally a template takes.
    public static func counts(_ part: Template.Part, of tally: EventTally) -> CaseCounts {
        switch part {
        case .place: tally.place
        case .department: tally.department
        case .worker: tally.worker
        }
    }

    public static func entries(_ tally: EventTally, _ c: Context) -> [RollupEntry] {
        let (day, month) = periods(c.at, timeZone: c.timeZone)
        return entries(tally, c, day: day, month: month)
    }

    /// The same, the day and month given (a journal line keeps them: `RollupTally`); `c.at` is not read.
    static func entries(_ tally: EventTally, _ c: Context, day: String, month: String) -> [RollupEntry] {
        guard !tally.isEmpty else { return [] }
        let category = c.categoryCode ?? RollupKeys.uncategorised
        let ancestry = OrgCode.ancestry(of: c.placeCode)
        var out: [RollupEntry] = []
        // A level's templates are neighbours in the list: its unit's own ancestry is worked out once.
        var unitArea: (level: OrgLevel, area: OrgAncestry)?
        for template in templates {
            let counts = counts(template.part, of: tally)
            guard counts != CaseCounts() else { continue }
            let dimension: RollupDimension, unit: String, level: String, area: OrgAncestry
            switch template.part {
            case .place(let orgLevel):
                guard let code = ancestry[orgLevel] else { continue }
                if unitArea?.level != orgLevel { unitArea = (orgLevel, OrgCode.ancestry(of: code)) }
                (dimension, unit, level, area) = (.org, code, orgLevel.rawValue, unitArea!.area)
            case .department:
                guard let code = tally.departmentCode else { continue }
                (dimension, unit, level, area) = (.department, code, "department", OrgAncestry())
            case .worker:
                guard let worker = c.workerUsername else { continue }
                (dimension, unit, level, area) = (.worker, worker, "worker", c.workerOrgCode.map { OrgCode.ancestry(of: $0) } ?? OrgAncestry())
            }
            let key = RollupKey(dimension, unit, template.periodKind, template.periodKind == .day ? day : month,
                                categoryCode: template.byCategory ? category : "", channel: template.byChannel ? c.channel : "")
            out.append(RollupEntry(key: key, unitLevel: level, area: area, counts: counts))
        }
        // Every template gives a different key, so one event's entries need no merging; the
        // ledger merges and orders whatever it writes at once.
        return out
    }

    /// Adds entries to sums kept by key (a recount, a fold of the rollup journal); a key's first entry
    /// keeps its unit's level and area. An array, not any sequence: the fold calls it from another module,
    /// where a generic one ran unspecialized, each step through the iterator's witness.
    public static func add(_ entries: [RollupEntry], to sums: inout [RollupKey: RollupEntry]) {
        for entry in entries {
            // A row already summed (most are: the day's and month's rows of a place) is found by one hash and added to
            // in place; a new one is the entry itself. The subscript with a default hashed once but copied a default
            // entry in and out for every entry: this loop was 3.9% of the server's samples under full intake, 2.4% so.
            if let index = sums.index(forKey: entry.key) {
                sums.values[index].counts += entry.counts
            } else {
                sums[entry.key] = entry
            }
        }
    }

    /// Sums entries with the same key and sorts them (see `RollupKey.<`): sorted first, then equal
    /// neighbours summed, which spares hashing six strings per entry. The positions are sorted, not
    /// the entries: moving whole entries (keys of six strings) was most of the sort's time.
    public static func merged(_ entries: [RollupEntry]) -> [RollupEntry] {
        var out: [RollupEntry] = []
        out.reserveCapacity(entries.count)
        let order = JoinedKeys(entries)?.sortedPositions() ?? entries.withUnsafeBufferPointer { buffer in
            // Compared in place through the buffer: `entries[i].key` copied the key (four strings retained) per comparison.
            buffer.indices.sorted { RollupKey.order(buffer[$0].key, buffer[$1].key) == .orderedAscending }
        }
        for index in order {
            if let last = out.indices.last, out[last].key == entries[index].key {
                out[last].counts = out[last].counts + entries[index].counts
            } else {
                out.append(entries[index])
            }
        }
        return out
    }

    /// Every entry's key as its fields' bytes, each followed by a NUL, in one buffer. Compared by `memcmp`
    /// two such keys order as `RollupKey.<` orders them, field by field: where one field ends first its NUL
    /// meets a byte above it. So the fold sorts a thousand keys with one comparison of bytes each time,
    /// where the field-by-field order took a tenth of a microsecond a comparison. Nil when a field holds
    /// a NUL (no code does), which would break the likeness.
    struct JoinedKeys {
        private var bytes: [UInt8] = []
        /// Where each key starts; the last is the end of the buffer.
        private var starts: [Int] = []

        init?(_ entries: [RollupEntry]) {
            bytes.reserveCapacity(entries.count * 48)
            starts.reserveCapacity(entries.count + 1)
            var clean = true
            func append(_ field: String) {
                let from = bytes.count
                bytes.append(contentsOf: field.utf8)
                clean = clean && !bytes[from...].contains(0)
                bytes.append(0)
            }
            for entry in entries {
                starts.append(bytes.count)
                let key = entry.key
                append(key.dimension.rawValue)
                append(key.unitCode)
                append(key.periodKind.rawValue)
                append(key.period)
                append(key.categoryCode)
                append(key.channel)
            }
            guard clean else { return nil }
            starts.append(bytes.count)
        }

        /// The entries' positions in key order (equal keys next to each other).
        func sortedPositions() -> [Int] {
            guard starts.count > 2 else { return Array(0..<(starts.count - 1)) }
            return bytes.withUnsafeBufferPointer { bytes in
                starts.withUnsafeBufferPointer { starts in
                    let base = bytes.baseAddress!
                    return (0..<(starts.count - 1)).sorted { i, j in
                        let (a, b) = (starts[i], starts[j])
                        let (m, n) = (starts[i + 1] - a, starts[j + 1] - b)
                        let c = memcmp(base + a, base + b, min(m, n))
                        return c != 0 ? c < 0 : m < n
                    }
                }
            }
        }
    }

    /// The same for lists that are each already `merged` (a group's transitions, one list each): merged
    /// two by two, as the last passes of a merge sort. On the writer's thread, sorting a group's entries
    /// all over again was a tenth of its time (measured on intake's groups, whose entries now go to the
    /// rollup journal's fold unsorted).
    public static func merged(runs: [[RollupEntry]]) -> [RollupEntry] {
        var runs = runs.filter { !$0.isEmpty }
        while runs.count > 1 {
            runs = stride(from: 0, to: runs.count, by: 2).map { i in i + 1 < runs.count ? merged(runs[i], runs[i + 1]) : runs[i] }
        }
        return runs.first ?? []
    }

    private static func merged(_ a: [RollupEntry], _ b: [RollupEntry]) -> [RollupEntry] {
        var out: [RollupEntry] = []
        out.reserveCapacity(a.count + b.count)
        var (i, j) = (a.startIndex, b.startIndex)
        while i < a.endIndex, j < b.endIndex {
            switch RollupKey.order(a[i].key, b[j].key) {
            case .orderedAscending:
                out.append(a[i])
                i += 1
            case .orderedDescending:
                out.append(b[j])
                j += 1
            case .orderedSame:
                out.append(a[i])
                out[out.count - 1].counts = a[i].counts + b[j].counts
                i += 1
                j += 1
            }
        }
        out += a[i...]
        out += b[j...]
        return out
    }

    /// The category code of cases not yet classified (`""` means all categories).
    public static let uncategorised = "-"

    /// `2026-11-23` and `2026-11` of a moment, in the installation's time zone. Plain arithmetic on
    /// days since 1970 (Hinnant's civil-from-days): the generator and the rebuild call it millions of times.
    public static func periods(_ date: Date, timeZone: TimeZone) -> (day: String, month: String) {
        let days = localDay(date, timeZone: timeZone)
        return (dayString(days), monthString(month(ofDay: days)))
    }

    /// Days since 1970-01-01 in the installation's time zone.
    public static func localDay(_ date: Date, timeZone: TimeZone) -> Int64 {
        day(ofLocalSeconds: localSeconds(date, timeZone: timeZone))
    }

    /// Whole seconds since 1970-01-01 00:00 on the installation's clocks.
    static func localSeconds(_ date: Date, timeZone: TimeZone) -> Int64 {
        Int64((date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
    }

    static func day(ofLocalSeconds local: Int64) -> Int64 {
        local >= 0 ? local / 86400 : (local - 86399) / 86400
    }

    /// Months since year 0 (`year × 12 + month − 1`) of a local day.
    public static func month(ofDay days: Int64) -> Int64 {
        let (y, m, _) = civil(days)
        return y * 12 + m - 1
    }

    /// `2026-11-23` of a local day.
    public static func dayString(_ days: Int64) -> String {
        let (y, m, d) = civil(days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `2026-11` of a month number from `month(ofDay:)`.
    public static func monthString(_ month: Int64) -> String {
        pad(month / 12, 4) + "-" + pad(month % 12 + 1, 2)
    }

    /// Year, month and day of a day counted from 1970-01-01 (proleptic Gregorian).
    public static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
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

    /// Days from 1970-01-01 of a year, month and day (proleptic Gregorian; Hinnant's days-from-civil), read leniently as
    /// `Calendar` reads them: month 13 is the next January, day 0 the last of the month before.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let months = year * 12 + month - 1
        let y0 = (months >= 0 ? months : months - 11) / 12
        let m0 = months - y0 * 12 + 1
        let y = m0 <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m0 > 2 ? m0 - 3 : m0 + 9) + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 + day - 1
    }

    public static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
