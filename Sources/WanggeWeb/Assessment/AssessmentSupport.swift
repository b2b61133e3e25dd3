import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Installation-wide assessment settings, editable by an admin.
struct AssessmentSettings: Codable, Sendable {
    /// How much a 基本满意 counts towards 满意率 (0…1).
    var basicallySatisfiedWeight: Double = 0.8
    var index: IndexDefinition = .safetyIndexDefault

    static let key = "assessment"

    static func load(on db: any Database) async throws -> AssessmentSettings {
        try await SettingsService(db: db).get(key, as: AssessmentSettings.self) ?? AssessmentSettings()
    }
}

/// What the summary API and the assessment page both start from: the area asked for (within the
/// actor's reach), the period, the settings, the area's totals and its open/overdue cases now.
struct AreaSummary {
    var actor: Actor
    var area: OrgUnitModel
    var period: AssessmentPeriod
    var settings: AssessmentSettings
    var counts: CaseCounts
    var gauge: (open: Int, overdue: Int)
}

/// Who may look at assessment figures, and for which area and period.
extension Request {
    func areaSummary(page: Bool) async throws -> AreaSummary {
        let actor = try assessmentActor(page: page)
        let area = try await assessmentArea(for: actor)
        let period = try assessmentPeriod()
        let settings = try await AssessmentSettings.load(on: database)
        let queries = AssessmentQueries(db: database)
        return AreaSummary(actor: actor, area: area, period: period, settings: settings,
                           counts: try await queries.totals(.org, area.code, period), gauge: try await queries.gauge(.org, area.code))
    }

    /// Leaders, dispatchers and admins, for their own area.
    func assessmentActor(page: Bool) throws -> Actor {
        let actor = page ? try requirePageUser().actor : try requireActor()
        guard [.leader, .dispatcher, .admin].contains(actor.role) else {
            throw AppError.forbidden(zh: "只有领导、调度员和管理员可以查看考核数据。", en: "Assessment figures are for leaders, dispatchers and admins.")
        }
        return actor
    }

    /// The `area` parameter (default: the actor's own unit), which must lie in the actor's area.
    func assessmentArea(for actor: Actor) async throws -> OrgUnitModel {
        let code = query[String.self, at: "area"].flatMap { $0.isEmpty ? nil : $0 } ?? actor.orgCode
        return try await OrgUnitService(db: database).find(code: String(code.prefix(30)), for: actor)
    }

    /// The `period` parameter (`2026-11`, `2026-Q4`, `2026-W47`, `2026`); default: the current one of `kind`.
    func assessmentPeriod(defaultKind kind: AssessmentPeriod.Kind = .month) throws -> AssessmentPeriod {
        if let token = query[String.self, at: "period"], !token.isEmpty {
            guard let period = AssessmentPeriod.parseAny(String(token.prefix(10))) else {
                throw AppError.invalid("assessment.period", zh: "期间格式应为 2026-11(月)、2026-Q4(季度)、2026-W47(周)、2026(年)或 2026-11-23(日)。",
                                       en: "A period is 2026-11 (month), 2026-Q4 (quarter), 2026-W47 (week) or 2026 (year).", field: "period")
            }
            return period
        }
        return AssessmentPeriod.of(kind, containing: today)!
    }

    /// Today's day key in the installation's time zone.
    var today: String { RollupKeys.periods(now, timeZone: application.wanggeConfig.timeZone).day }
}

/// One rate as shown and served: value, what it is made of, and how it is computed.
struct RateDTO: Content {
    var rate: String
    var name: String
    var value: Double?
    var display: String
    var denominator: Int
    var explanation: String
    var higherIsBetter: Bool

    init(_ rate: Rate, _ counts: CaseCounts, weight: Double, english: Bool = false) {
        self.rate = rate.rawValue
        name = english ? rate.nameEN : rate.nameZH
        value = rate.value(counts, basicallySatisfiedWeight: weight)
        display = RateDTO.percent(value)
        denominator = rate.denominator(counts)
        explanation = rate.explanationZH
        higherIsBetter = rate.higherIsBetter
    }

    static func percent(_ value: Double?) -> String {
        value.map { FixedDecimal.string($0 * 100, digits: 1) + "%" } ?? "—"
    }

    static func all(_ counts: CaseCounts, weight: Double, english: Bool = false) -> [RateDTO] {
        Rate.allCases.map { RateDTO($0, counts, weight: weight, english: english) }
    }
}

extension Rate {
    var nameEN: String {
        switch self {
        case .response: "Response rate"
        case .resolution: "Resolution rate"
        case .onTime: "On-time rate"
        case .satisfaction: "Satisfaction rate"
        case .rework: "Rework rate"
        case .returnRate: "Return rate"
        case .overdueRate: "Overdue rate"
        }
    }
}

/// The thirteen counters as named JSON fields.
struct CountsDTO: Content {
    var received, registered, dispatched, respondedInTime, closed, closedOnTime, overdue: Int
    var returned, reworked, satisfied, basicallySatisfied, unsatisfied, reopened: Int

    init(_ c: CaseCounts) {
        (received, registered, dispatched, respondedInTime, closed, closedOnTime, overdue) =
            (c.received, c.registered, c.dispatched, c.respondedInTime, c.closed, c.closedOnTime, c.overdue)
        (returned, reworked, satisfied, basicallySatisfied, unsatisfied, reopened) =
            (c.returned, c.reworked, c.satisfied, c.basicallySatisfied, c.unsatisfied, c.reopened)
    }
}

struct PeriodDTO: Content {
    var token: String
    var kind: String
    var label: String
    var first: String
    var last: String

    init(_ p: AssessmentPeriod) {
        token = p.token
        kind = p.kind.rawValue
        label = p.labelZH
        first = p.first
        last = p.last
    }
}
