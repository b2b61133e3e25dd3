import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/assessment/…`: the figures centres are judged by, from the rollups, for the caller's area.
struct AssessmentAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("assessment")
        group.getHeavy("summary", use: summary)
        group.getHeavy("rankings", use: rankings)
        group.getHeavy("index", use: index)
        group.get("settings", use: settings)
        group.put("settings", use: updateSettings)
    }

    struct SummaryDTO: Content {
        var area: CodeName
        var period: PeriodDTO
        var counts: CountsDTO
        var rates: [RateDTO]
        var open: Int
        var overdueOpen: Int
        var basicallySatisfiedWeight: Double
    }

    @Sendable func summary(req: Request) async throws -> SummaryDTO {
        let s = try await req.areaSummary(page: false)
        let (area, period, settings, counts, gauge) = (s.area, s.period, s.settings, s.counts, s.gauge)
        return SummaryDTO(area: CodeName(code: area.code, name: area.name), period: PeriodDTO(period), counts: CountsDTO(counts),
                          rates: RateDTO.all(counts, weight: settings.basicallySatisfiedWeight), open: gauge.open, overdueOpen: gauge.overdue,
                          basicallySatisfiedWeight: settings.basicallySatisfiedWeight)
    }

    struct RankedDTO: Content {
        var position: Int
        var code: String
        var name: String
        var value: Double?
        var display: String
        var volume: Int
        var counts: CountsDTO

        init(_ row: RankedRow) {
            position = row.position
            code = row.code
            name = row.name
            value = row.value
            display = RateDTO.percent(row.value)
            volume = row.volume
            counts = CountsDTO(row.counts)
        }
    }

    struct RankingsDTO: Content {
        var area: CodeName
        var period: PeriodDTO
        var level: String
        var rate: String
        var items: [RankedDTO]
        var red: [RankedDTO]
        var black: [RankedDTO]
    }

    /// Reads `level` and `rate`, refusing unknown values with a clear message.
    static func rankingParameters(_ req: Request, area: OrgUnitModel) throws -> (RankingLevel, Rate) {
        let allowed = RankingLevel.below(area.orgLevel)
        let rawLevel = req.query[String.self, at: "level"] ?? allowed.first?.rawValue ?? "grid"
        guard let level = RankingLevel(rawValue: rawLevel), allowed.contains(level) else {
            throw AppError.invalid("assessment.level", zh: "排名对象须为 \(allowed.map(\.rawValue).joined(separator: "、"))。",
                                   en: "Rank one of: \(allowed.map(\.rawValue).joined(separator: ", ")).", field: "level")
        }
        let rawRate = req.query[String.self, at: "rate"] ?? Rate.resolution.rawValue
        guard let rate = Rate(rawValue: rawRate) else {
            throw AppError.invalid("assessment.rate", zh: "未知的指标「\(rawRate.prefix(30))」。", en: "Unknown rate.", field: "rate")
        }
        return (level, rate)
    }

    /// Written into its body here, on the heavy lane (`AssessmentDTOsWritten.swift`).
    @Sendable func rankings(req: Request) async throws -> Response {
        let actor = try req.assessmentActor(page: false)
        let area = try await req.assessmentArea(for: actor)
        let period = try req.assessmentPeriod()
        let (level, rate) = try Self.rankingParameters(req, area: area)
        let settings = try await AssessmentSettings.load(on: req.database)
        let entries = try await RankingService(db: req.database).entries(level, in: area, period: period)
        let ranked = Ranking.rank(entries, by: rate, basicallySatisfiedWeight: settings.basicallySatisfiedWeight)
        let n = min(max(req.query[Int.self, at: "n"] ?? 5, 1), 20)
        let boards = Ranking.redBlack(ranked, n: n)
        return try Response(json: RankingsDTO(area: CodeName(code: area.code, name: area.name), period: PeriodDTO(period), level: level.rawValue,
                                              rate: rate.rawValue, items: ranked.map(RankedDTO.init), red: boards.red.map(RankedDTO.init),
                                              black: boards.black.map(RankedDTO.init)))
    }

    struct IndexDTO: Content {
        struct Unit: Content {
            var code: String
            var name: String
            var score: IndexScoreDTO
        }

        var area: CodeName
        var period: PeriodDTO
        var name: String
        var score: IndexScoreDTO
        var children: [Unit]
    }

    @Sendable func index(req: Request) async throws -> IndexDTO {
        let actor = try req.assessmentActor(page: false)
        let area = try await req.assessmentArea(for: actor)
        let period = try req.assessmentPeriod()
        let settings = try await AssessmentSettings.load(on: req.database)
        let queries = AssessmentQueries(db: req.database)
        let total = try await queries.totals(.org, area.code, period)
        let children = try await OrgUnitService(db: req.database).childNames(of: area.requireID())
        let counts = try await queries.byUnit(.org, units: children.map { $0.code }, period)
        let definition = settings.index
        return IndexDTO(area: CodeName(code: area.code, name: area.name), period: PeriodDTO(period), name: definition.nameZH,
                        score: IndexScoreDTO(definition.evaluate(total, basicallySatisfiedWeight: settings.basicallySatisfiedWeight)),
                        children: children.map { unit in
                            .init(code: unit.code, name: unit.name,
                                  score: IndexScoreDTO(definition.evaluate(counts[unit.code] ?? CaseCounts(),
                                                                           basicallySatisfiedWeight: settings.basicallySatisfiedWeight)))
                        })
    }

    @Sendable func settings(req: Request) async throws -> AssessmentSettings {
        _ = try req.assessmentActor(page: false)
        return try await AssessmentSettings.load(on: req.database)
    }

    @Sendable func updateSettings(req: Request) async throws -> AssessmentSettings {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(AssessmentSettings.self)
        try AssessmentSettings.validate(input)
        try await SettingsService(db: req.database).set(AssessmentSettings.key, input, by: actor.username, at: req.now)
        return input
    }
}

extension AssessmentSettings: Content {
    /// Refuses a weight outside 0…1 or an index definition with problems, listing them in Chinese.
    static func validate(_ settings: AssessmentSettings) throws {
        guard (0...1).contains(settings.basicallySatisfiedWeight) else {
            throw AppError.invalid("assessment.weight", zh: "基本满意的权重须在 0 到 1 之间。", en: "The weight of 基本满意 is between 0 and 1.",
                                   field: "basicallySatisfiedWeight")
        }
        let problems = settings.index.validate()
        guard problems.isEmpty else {
            throw AppError.invalid("assessment.index", zh: "指数定义有误:" + problems.joined(separator: ";"),
                                   en: "The index definition has problems: " + problems.joined(separator: "; "), field: "index")
        }
    }
}

/// An index score tree as JSON.
struct IndexScoreDTO: Content {
    var id: String
    var name: String
    var weight: Double
    var score: Double?
    var raw: Double?
    var children: [IndexScoreDTO]

    init(_ s: IndexScore) {
        id = s.id
        name = s.nameZH
        weight = s.weight
        score = s.score
        raw = s.raw
        children = s.children.map(IndexScoreDTO.init)
    }
}
