import FluentKit
import Foundation
import WanggeDomain

/// The working calendar, SLA policies and warning thresholds in force, loaded from the database
/// (administrators' years and rules) over the shipped defaults.
public struct SLAContext: Sendable {
    public var calendar: WorkingCalendar
    public var policies: SLAPolicyBook
    public var thresholds: WarningThresholds
    /// Whether `thresholds` are the ones an administrator stored, not the instance's configured default.
    public var thresholdsStored: Bool

    public init(calendar: WorkingCalendar, policies: SLAPolicyBook, thresholds: WarningThresholds, thresholdsStored: Bool = false) {
        self.calendar = calendar
        self.policies = policies
        self.thresholds = thresholds
        self.thresholdsStored = thresholdsStored
    }

    /// The key of the warning thresholds an administrator set; `thresholds` (the instance's configured
    /// default) holds only until one is stored, so instances configured apart still colour alike.
    public static let thresholdsKey = "sla.warning_thresholds"

    /// How long an instance keeps its copy before reading the calendar, rules and thresholds again: an
    /// administrator's change on one instance reaches the others within it.
    public static let cacheLifetime: TimeInterval = 60

    public static func load(on db: any Database, timeZone: TimeZone, thresholds: WarningThresholds) async throws -> SLAContext {
        let stored = try await SettingsService(db: db).get(thresholdsKey, as: WarningThresholds.self).flatMap { $0.isValid ? $0 : nil }
        var years = Dictionary(uniqueKeysWithValues: HolidayYear.shipped.map { ($0.year, $0) })
        for row in try await HolidayYearModel.query(on: db).all() {
            if let year = try? HolidayYear.parse(Data(row.data.utf8)) { years[year.year] = year }
        }
        var rules: [SLAPolicyBook.Rule] = []
        for row in try await SLARuleModel.query(on: db).all() {
            guard let policy = try? JSONDecoder().decode(SLAPolicy.self, from: Data(row.policy.utf8)) else { continue }
            rules.append(.init(categoryCode: row.categoryCode, urgency: row.urgency.flatMap(Urgency.init(rawValue:)), policy: policy))
        }
        return SLAContext(calendar: WorkingCalendar(timeZone: timeZone, years: years.values.sorted { $0.year < $1.year }),
                          policies: rules.isEmpty ? .demo : SLAPolicyBook(rules: rules), thresholds: stored ?? thresholds,
                          thresholdsStored: stored != nil)
    }

    public func policy(for model: CaseModel) -> SLAPolicy {
        policies.policy(category: model.categoryCode, urgency: Urgency(rawValue: model.urgency) ?? .normal)
    }

    public func warning(_ model: CaseModel, at now: Date) -> WarningLevel {
        warning(state: model.caseState, deadlinesJSON: model.deadlinesJSON, at: now)
    }

    /// The colour of a case in a queue: from the moments stored on its row, as the list's colour filter
    /// compares them, when red is at the deadline, else from its clocks. Decoding an open case's clocks
    /// was a ninth of a queue page of open cases.
    public func warning(_ summary: CaseSummary, at now: Date) -> WarningLevel {
        warning(state: summary.caseState, blue: summary.blueAt, yellow: summary.yellowAt, due: summary.dueAt, clocks: summary.deadlinesJSON, at: now)
    }

    /// The colour of a marker on a map, as a queue's (the areas' counts beside the map compare the same
    /// moments). The overview draws 5,000 markers, and decoding each one's clocks was a seventh of the page
    /// at a million cases.
    public func warning(_ point: CaseMapPoint, at now: Date) -> WarningLevel {
        warning(state: point.caseState, blue: point.blueAt, yellow: point.yellowAt, due: point.dueAt, clocks: point.deadlinesJSON, at: now)
    }

    /// An open case's colour from the moments stored on its row, or from its clocks (when read) if red comes
    /// before the deadline.
    private func warning(state: CaseState, blue: Date?, yellow: Date?, due: Date?, clocks: String?, at now: Date) -> WarningLevel {
        if coloursNeedClocks, let clocks { return warning(state: state, deadlinesJSON: clocks, at: now) }
        guard state.isOpen else { return .none }
        return .stored(blue: blue, yellow: yellow, due: due, at: now)
    }

    /// Whether a colour in a list or on a map needs the case's clocks (`CaseMapPoint.columns(clocks:)`): only
    /// when red comes before the deadline, where no moment on the row marks it.
    public var coloursNeedClocks: Bool { thresholds.red != 1 }

    /// Only an open case has a running clock; only then is it read, and only it (`CaseDeadlines.running(storedJSON:)`).
    private func warning(state: CaseState, deadlinesJSON: String, at now: Date) -> WarningLevel {
        guard state.isOpen else { return .none }
        return CaseDeadlines.running(storedJSON: deadlinesJSON)?.warning(at: now, thresholds: thresholds, calendar: calendar) ?? .none
    }

    /// The same from clocks already decoded (a case page shows them too).
    public func warning(state: CaseState, deadlines: CaseDeadlines, at now: Date) -> WarningLevel {
        guard state.isOpen else { return .none }
        return deadlines.warning(at: now, thresholds: thresholds, calendar: calendar)
    }
}

/// Administrators manage holiday years and SLA rules.
public struct SLAAdminService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    public func saveYear(_ data: Data, by actor: Actor) async throws -> HolidayYear {
        try actor.requireAdmin()
        let year = try HolidayYear.parse(data)
        let encoded = String(decoding: try JSONEncoder().encode(year), as: UTF8.self)
        if let existing = try await HolidayYearModel.find(year.year, on: db) {
            existing.data = encoded
            try await existing.save(on: db)
        } else {
            let row = HolidayYearModel()
            row.id = year.year
            row.data = encoded
            try await row.create(on: db)
        }
        return year
    }

    /// Sets the county's warning thresholds. Each open case's stored blue and yellow moments follow at
    /// the next sweep (`ThresholdTimesRefresh`).
    public func setThresholds(_ thresholds: WarningThresholds, by actor: Actor, at now: Date) async throws {
        try actor.requireAdmin()
        guard thresholds.isValid else {
            throw AppError.invalid("sla.thresholds", zh: "预警阈值须满足:0 < 蓝色 < 黄色 ≤ 红色 ≤ 100%。",
                                   en: "Thresholds must satisfy 0 < blue < yellow ≤ red ≤ 100%.", field: "thresholds")
        }
        try await SettingsService(db: db).set(SLAContext.thresholdsKey, thresholds, by: actor.username, at: now)
    }

    public func setRule(categoryCode: String?, urgency: Urgency?, policy: SLAPolicy, by actor: Actor) async throws {
        try actor.requireAdmin()
        for duration in [policy.accept, policy.resolve, policy.reply] {
            switch duration {
            case let .minutes(m) where !(1...60 * 24 * 90).contains(m), let .workingDays(m) where !(1...180).contains(m):
                throw AppError.invalid("sla.duration", zh: "时限须为 1 分钟至 90 天,或 1 至 180 个工作日。",
                                       en: "A limit is 1 minute to 90 days, or 1 to 180 working days.")
            default: break
            }
        }
        var query = SLARuleModel.query(on: db)
        query = categoryCode.map { query.filter(\.$categoryCode == $0) } ?? query.filter(\.$categoryCode == nil)
        query = urgency.map { query.filter(\.$urgency == $0.rawValue) } ?? query.filter(\.$urgency == nil)
        let row = try await query.first() ?? SLARuleModel()
        row.categoryCode = categoryCode
        row.urgency = urgency?.rawValue
        row.policy = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        try await row.save(on: db)
    }
}
