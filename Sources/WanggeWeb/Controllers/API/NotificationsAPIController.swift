import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/notifications`: the signed-in user's inbox with the unread count.
struct NotificationsAPIController: RouteCollection {
    struct NotificationDTO: Content {
        var id: Int
        var kind: String
        var caseCode: String?
        var title: String
        var body: String
        var createdAt: Date
        var read: Bool
    }

    /// A page of the inbox as the API answers it (the `Inbox` schema).
    struct InboxPage: Content {
        var unread: Int
        var items: [NotificationDTO]
        var next: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let notifications = routes.grouped("notifications")
        notifications.get(use: list)
        notifications.post(":id", "read", use: markRead)
        notifications.post("read-all", use: markAllRead)
    }

    /// A page newest first (`unread=true` for the unread ones only), with the exact unread count.
    @Sendable func list(req: Request) async throws -> InboxPage {
        let actor = try req.requireActor()
        let page = try await Self.page(of: actor.userID, unreadOnly: req.query[Bool.self, at: "unread"] ?? false,
                                       before: req.query[Int.self, at: "after"], on: req.database)
        return InboxPage(unread: try await Inbox(db: req.database).unreadCount(of: actor.userID), items: page.items, next: page.next)
    }

    static let pageSize = 30

    /// One page of the inbox as the API and the inbox page show it, and the cursor of the next.
    static func page(of userID: UUID, unreadOnly: Bool, before: Int?, on db: any Database) async throws
        -> (items: [NotificationDTO], next: String?) {
        let rows = try await Inbox(db: db).page(of: userID, unreadOnly: unreadOnly, before: before, limit: pageSize)
        return (rows.map {
            NotificationDTO(id: $0.id, kind: $0.kind, caseCode: $0.caseCode, title: $0.title, body: $0.body,
                            createdAt: $0.createdAt, read: $0.readAt != nil)
        }, rows.count == pageSize ? rows.last.map { String($0.id) } : nil)
    }

    @Sendable func markRead(req: Request) async throws -> HTTPStatus {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: Int.self),
              let row = try await NotificationModel.query(on: req.database).filter(\.$id == id).filter(\.$user.$id == actor.userID).first()
        else { throw AppError.notFound("notification") }
        if row.readAt == nil {
            row.readAt = req.now
            try await row.save(on: req.database)
        }
        return .noContent
    }

    @Sendable func markAllRead(req: Request) async throws -> HTTPStatus {
        let actor = try req.requireActor()
        try await Inbox(db: req.database).markAllRead(of: actor.userID, at: req.now)
        return .noContent
    }
}

/// Working calendar, SLA rules and warning counts.
struct SLAAPIController: RouteCollection {
    struct CalendarYearDTO: Content {
        var year: Int
        var holidays: [String]
        var workdays: [String]
        var source: String?
    }

    struct RuleInput: Content {
        var categoryCode: String?
        var urgency: String?
        var acceptMinutes: Int
        var resolveWorkingDays: Int?
        var resolveMinutes: Int?
        var replyWorkingDays: Int
    }

    struct ThresholdsInput: Content {
        var blue: Double
        var yellow: Double
        var red: Double?
    }

    struct ThresholdsDTO: Content {
        var blue: Double
        var yellow: Double
        var red: Double
        var stored: Bool
    }

    struct WarningCountDTO: Content {
        var orgCode: String
        var name: String
        var red: Int
        var yellow: Int
        var blue: Int
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("calendar", ":year", use: year)
        routes.put("calendar", ":year", use: saveYear)
        routes.put("sla-rules", use: setRule)
        routes.get("sla-thresholds", use: thresholds)
        routes.put("sla-thresholds", use: setThresholds)
        routes.get("warnings", use: warnings)
    }

    @Sendable func year(req: Request) async throws -> CalendarYearDTO {
        _ = try req.requireActor()
        guard let year = req.parameters.get("year", as: Int.self) else { throw AppError.notFound("year") }
        if let row = try await HolidayYearModel.find(year, on: req.database), let parsed = try? HolidayYear.parse(Data(row.data.utf8)) {
            return CalendarYearDTO(year: year, holidays: parsed.holidays, workdays: parsed.workdays, source: parsed.source)
        }
        guard let shipped = HolidayYear.shipped.first(where: { $0.year == year }) else {
            throw AppError(.notFound, code: "calendar.missing", zh: "\(year) 年的节假日安排尚未录入。", en: "No holiday schedule for \(year).")
        }
        return CalendarYearDTO(year: year, holidays: shipped.holidays, workdays: shipped.workdays, source: shipped.source)
    }

    @Sendable func saveYear(req: Request) async throws -> CalendarYearDTO {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        let saved = try await SLAAdminService(db: req.database).saveYear(body, by: actor)
        await req.application.invalidateSLAContext()
        guard saved.year == req.parameters.get("year", as: Int.self) else {
            throw AppError.invalid("calendar.year", zh: "路径中的年份与数据中的年份不一致。", en: "The year in the path and in the data differ.")
        }
        return CalendarYearDTO(year: saved.year, holidays: saved.holidays, workdays: saved.workdays, source: saved.source)
    }

    @Sendable func setRule(req: Request) async throws -> HTTPStatus {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(RuleInput.self)
        let urgency = try input.urgency.map { raw in
            guard let value = Urgency(rawValue: raw) else { throw AppError.invalid("sla.urgency", zh: "未知的紧急程度。", en: "Unknown urgency.", field: "urgency") }
            return value
        }
        let resolve: SLADuration
        if let days = input.resolveWorkingDays { resolve = .workingDays(days) } else if let minutes = input.resolveMinutes { resolve = .minutes(minutes) } else {
            throw AppError.invalid("sla.resolve", zh: "请填写办结时限。", en: "Give the resolve limit.", field: "resolveWorkingDays")
        }
        let policy = SLAPolicy(accept: .minutes(input.acceptMinutes), resolve: resolve, reply: .workingDays(input.replyWorkingDays))
        try await SLAAdminService(db: req.database).setRule(categoryCode: input.categoryCode, urgency: urgency, policy: policy, by: actor)
        await req.application.invalidateSLAContext()
        return .noContent
    }

    /// The warning thresholds in force, as fractions of the allowed time, and whether an administrator
    /// set them (`stored`) or they are the server's configured default.
    @Sendable func thresholds(req: Request) async throws -> ThresholdsDTO {
        let actor = try req.requireActor()
        guard actor.role.isStaff else { throw AppError.forbidden() }
        let sla = try await req.sla()
        return ThresholdsDTO(blue: sla.thresholds.blue, yellow: sla.thresholds.yellow, red: sla.thresholds.red, stored: sla.thresholdsStored)
    }

    @Sendable func setThresholds(req: Request) async throws -> ThresholdsDTO {
        let actor = try req.requireActor()
        try actor.requireAdmin()
        let input = try req.content.decode(ThresholdsInput.self)
        let thresholds = WarningThresholds(blue: input.blue, yellow: input.yellow, red: input.red ?? 1)
        try await SLAAdminService(db: req.database).setThresholds(thresholds, by: actor, at: req.now)
        await req.application.invalidateSLAContext()
        return ThresholdsDTO(blue: thresholds.blue, yellow: thresholds.yellow, red: thresholds.red, stored: true)
    }

    /// `/api/v1/warnings?within=CODE`: red, yellow and blue cases per unit directly below the area.
    @Sendable func warnings(req: Request) async throws -> [WarningCountDTO] {
        let actor = try req.requireActor()
        guard actor.role.isStaff else { throw AppError.forbidden() }
        let root = req.query[String.self, at: "within"] ?? actor.orgCode
        guard actor.canSee(OrgCode.ancestry(of: root)) else { throw AppError.notFound("org_unit") }
        let counts = try await CaseQueryService(db: req.database).warningCounts(below: root, now: req.now).units
        let names = try await NameBook.load(on: req, unitCodes: Set(counts.map(\.code)))
        return counts.map { WarningCountDTO(orgCode: $0.code, name: names.units[$0.code] ?? $0.code, red: $0.red, yellow: $0.yellow, blue: $0.blue) }
    }
}
