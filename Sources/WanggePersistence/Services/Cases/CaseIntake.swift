import Crypto
import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// A photo already checked and written to the store.
public struct StoredPhoto: Sendable, Equatable {
    public var sha256: String
    public var contentType: String
    public var size: Int

    public init(sha256: String, contentType: String, size: Int) {
        self.sha256 = sha256
        self.contentType = contentType
        self.size = size
    }
}

/// Who records a report: a signed-in actor, or an anonymous citizen.
public struct Reporter: Sendable {
    public var actor: Actor?
    public init(actor: Actor?) { self.actor = actor }

    var username: String? { actor?.username }
    var displayName: String { actor?.displayName ?? "群众" }
    var role: String { actor?.role.rawValue ?? "anonymous" }
}

public struct IntakeResult: Sendable {
    public let id: Int
    public let code: String
    /// The case as written.
    public let row: NewCaseRow
    /// Shown once, to the reporter; only its hash is stored.
    public let queryCode: String
}

/// What intake asks of a category: whether it takes reports, and the extra fields it defines.
public struct IntakeCategory: Sendable, Equatable {
    public let active: Bool
    public let attributes: [ServiceAttribute]

    /// Every category's, by code (a county has a few hundred at most).
    public static func all(on db: any Database) async throws -> [String: IntakeCategory] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        var out: [String: IntakeCategory] = [:]
        for row in try await PlainReads.rows(sql.select().columns("code", "active", "attributes").from(CategoryModel.schema).select, on: db) {
            out[try row.decode(column: "code", as: String.self)] = try IntakeCategory(row)
        }
        return out
    }

    init(_ row: any SQLRow) throws {
        active = try row.decode(column: "active", as: Bool.self)
        attributes = CategoryModel.attributes(json: try row.decode(column: "attributes", as: String?.self))
    }
}

public struct CaseIntakeService: Sendable {
    public let db: any Database
    public let timeZone: TimeZone
    /// Where reports that arrive together wait to be written together; without it each is written alone.
    public let commits: IntakeCommits?
    /// The categories as the server keeps them in memory (`CatalogNames`); nil reads the report's own.
    public let categories: [String: IntakeCategory]?
    /// The installation's query-code cipher (`QueryCodeKey`): codes that carry the case's id. Without it
    /// codes are drawn at random, the older kind.
    public let queryCodes: QueryCodeCipher?

    public init(db: any Database, timeZone: TimeZone, commits: IntakeCommits? = nil, categories: [String: IntakeCategory]? = nil,
                queryCodes: QueryCodeCipher? = nil) {
        self.db = db
        self.timeZone = timeZone
        self.commits = commits
        self.categories = categories
        self.queryCodes = queryCodes
    }

    /// Two columns of the category, not the model: decoding a Fluent model was 2% of an intake's work.
    private static let categoryByCode = PlainReads.SelectWhere(["active", "attributes"], from: CategoryModel.schema, where: "code",
                                                               orderedBy: nil, limit: 1)

    /// The category a report names, from the kept copy or else read.
    private func category(_ code: String) async throws -> IntakeCategory? {
        if let categories { return categories[code] }
        return try await PlainReads.rows(Self.categoryByCode, equals: code, on: db).first.map(IntakeCategory.init)
    }

    /// Validates and records a report as a case with its first event (and, for an on-the-spot
    /// resolution, its second), all in one transaction, shared with the reports that arrive with
    /// it. `locatedGrid` is the grid holding the point.
    /// The query code is issued by the writer with the case's id (`queryCodes`), or else drawn at random
    /// (`drawQueryCode`), unless given (`queryCode`, for tests).
    public func intake(_ input: IntakeInput, by reporter: Reporter, locatedGrid: String?, photos: [StoredPhoto], now: Date,
                       sla: SLAContext, queryCode: String? = nil,
                       drawQueryCode: @Sendable () -> String = { QueryCode.generate() }) async throws -> IntakeResult {
        func draw() -> String? { queryCodes == nil ? drawQueryCode() : nil }
        do {
            return try await intakeOnce(input, by: reporter, locatedGrid: locatedGrid, photos: photos, now: now, sla: sla,
                                        queryCode: queryCode ?? draw())
        } catch let error as any DatabaseError where error.isConstraintFailure && queryCode == nil {
            // The database keeps query codes unique, and one drawn at random can be another case's (at ten
            // million cases, in about one city of fifteen; codes issued with the id cannot clash). That report
            // was refused whole; it is taken again with another code, once: a second refusal has another cause.
            return try await intakeOnce(input, by: reporter, locatedGrid: locatedGrid, photos: photos, now: now, sla: sla,
                                        queryCode: draw())
        }
    }

    /// `queryCode` nil: the writer issues one with the case's id.
    private func intakeOnce(_ input: IntakeInput, by reporter: Reporter, locatedGrid: String?, photos: [StoredPhoto], now: Date,
                            sla: SLAContext, queryCode: String?) async throws -> IntakeResult {
        guard let channel = Channel(rawValue: input.channel) else {
            let known = Channel.allCases.map(\.rawValue).joined(separator: ", ")
            throw AppError.invalid("case.channel", zh: "未知的来源渠道「\(input.channel)」。", en: "Unknown channel; one of: \(known).", field: "channel")
        }
        if let role = channel.requiredRole {
            guard let actor = reporter.actor else {
                throw AppError(.unauthorized, code: "auth.required", zh: "请先登录。", en: "Please sign in.")
            }
            guard actor.role == role else {
                throw AppError.forbidden(zh: "「\(channel.nameZH)」渠道须由\(role.nameZH)登记。",
                                         en: "The \(channel.nameEN) channel is recorded by a \(role.nameEN).")
            }
        }
        let description = try IntakeRules.description(input.description)
        let address = try IntakeRules.optionalText(input.address, field: "address", max: 200, zh: "地址")
        let anonymous = input.anonymous ?? false
        let reporterName = anonymous ? nil : try IntakeRules.optionalText(input.reporterName, field: "reporterName", max: 40, zh: "姓名")
        let reporterPhone = anonymous ? nil : try IntakeRules.phone(input.reporterPhone)
        guard let urgency = Urgency(rawValue: input.urgency ?? "normal") else {
            throw AppError.invalid("case.urgency", zh: "紧急程度须为 normal、urgent 或 critical。", en: "Urgency is normal, urgent or critical.", field: "urgency")
        }
        let point = try IntakeRules.location(lat: input.location?.lat, lon: input.location?.lon)
        if photos.count > IntakeRules.maxPhotos {
            throw AppError.invalid("case.photos", zh: "最多上传 9 张照片。", en: "At most 9 photos.", field: "photos")
        }
        var categoryCode: String?
        var attributesJSON: String?
        if let code = input.categoryCode?.trimmed(of: .whitespaces), !code.isEmpty {
            guard let category = try await category(code), category.active else {
                throw AppError.invalid("case.category", zh: "未知的问题类别「\(code)」。", en: "Unknown category \(code).", field: "categoryCode")
            }
            categoryCode = code
            if let submitted = input.attributes {
                let accepted = try ServiceAttribute.validate(submitted, against: category.attributes)
                if !accepted.isEmpty { attributesJSON = try CaseEvents.encode(accepted) }
            }
        }
        var hotlineTicket: String?
        var hotlineNumber: String?
        if channel == .hotline {
            hotlineTicket = try IntakeRules.optionalText(input.hotlineTicket, field: "hotlineTicket", max: 40, zh: "热线工单号")
            guard hotlineTicket != nil else {
                throw AppError.invalid("case.hotline_ticket", zh: "热线来件须填写热线工单号。", en: "A hotline case needs the hotline's ticket number.", field: "hotlineTicket")
            }
            hotlineNumber = try IntakeRules.optionalText(input.hotlineNumber, field: "hotlineNumber", max: 10, zh: "热线号码") ?? "12345"
        }
        var petitionKind: PetitionKind?
        if channel == .petition {
            guard let kind = PetitionKind(rawValue: input.petitionKind ?? "") else {
                throw AppError.invalid("case.petition_kind", zh: "信访件须注明来信(letter)或来访(visit)。", en: "A petition is a letter or a visit.", field: "petitionKind")
            }
            petitionKind = kind
        }
        let onSpot = input.resolvedOnSpot ?? false
        if onSpot, channel != .patrol {
            throw AppError.invalid("case.on_spot", zh: "只有网格员巡查上报可以就地解决。", en: "Only a patrol report can be resolved on the spot.", field: "resolvedOnSpot")
        }

        // Where the case is: the grid holding the point, a grid chosen by staff, or the reporter's own unit.
        var gridCode = locatedGrid
        if let chosen = input.gridCode?.trimmed(of: .whitespaces), !chosen.isEmpty, let actor = reporter.actor, actor.role.isStaff {
            guard OrgCode.level(of: chosen) == .grid, actor.canSee(OrgCode.ancestry(of: chosen)),
                  try await OrgUnitModel.query(on: db).filter(\.$code == chosen).count() > 0 else {
                throw AppError.invalid("case.grid", zh: "网格 \(chosen) 不存在或不在您的辖区内。", en: "Grid \(chosen) is not in your area.", field: "gridCode")
            }
            gridCode = chosen
        }
        if channel == .patrol, gridCode == nil, let first = reporter.actor?.gridCodes.first { gridCode = first }
        let ancestry: OrgAncestry
        if let gridCode {
            ancestry = OrgCode.ancestry(of: gridCode)
        } else if let actor = reporter.actor, actor.role.isStaff {
            ancestry = OrgCode.ancestry(of: actor.orgCode)
        } else {
            ancestry = try await defaultIntakeAncestry()
        }
        if onSpot {
            guard let gridCode, reporter.actor?.gridCodes.contains(gridCode) == true else {
                throw AppError.invalid("case.on_spot_grid", zh: "只能就地解决自己网格内的问题。", en: "Only problems in your own grid can be resolved on the spot.", field: "resolvedOnSpot")
            }
        }
        // 小事不出镇: a township's centre owns what happens in it; without a township, the county's.
        let centre = ancestry.townshipCode ?? ancestry.countyCode ?? ancestry.cityCode ?? ""
        let initial = CaseSnapshot(centreOrgCode: centre, gridCode: gridCode, categoryCode: categoryCode, reporterUsername: reporter.username)

        let policy = sla.policies.policy(category: categoryCode, urgency: urgency)
        var deadlines = CaseDeadlines.atIntake(now, policy: policy, calendar: sla.calendar)
        let onSpotCommand: CaseCommand? = onSpot ? CaseCommand(.resolveOnSpot, result: input.result) : nil
        let afterSpot = try onSpotCommand.map { try CaseMachine.apply(initial, $0, actorUsername: reporter.username ?? "") } ?? initial
        let place = ancestry.deepestCode
        let initialColumns = try SnapshotColumns(initial)
        let first = CaseEvents.content(seq: 1, action: .report, from: nil, to: .reported, actor: reporter.actor,
                                       anonymousName: reporter.displayName, note: nil, payload: initialColumns.json, at: now,
                                       placeCode: place)
        var events = [first]
        var rollups = [EventRollups.tally(for: first, before: initial, after: initial, channel: channel.rawValue, firstOverdue: false,
                                          timeZone: timeZone)]
        if let onSpotCommand {
            // Written as it stands after both events: the report, then the grid worker's result.
            deadlines = deadlines.after(.resolveOnSpot, previous: initial, at: now, policy: policy, calendar: sla.calendar)
            let second = try CaseEvents.content(seq: 2, action: .resolveOnSpot, from: .reported, to: .handled,
                                                actor: reporter.actor, anonymousName: reporter.displayName, note: onSpotCommand.result,
                                                payload: CaseEventModel.payload(onSpotCommand), at: now, placeCode: place,
                                                onTime: Tally.onTime(.resolveOnSpot, deadlinesAfter: deadlines))
            events.append(second)
            rollups.append(EventRollups.tally(for: second, before: initial, after: afterSpot, channel: channel.rawValue, firstOverdue: false,
                                              timeZone: timeZone))
        }
        let row = NewCaseRow(
            channel: channel, description: description, urgency: urgency,
            lat: point?.lat, lon: point?.lon, address: address, outsideGrids: point != nil && locatedGrid == nil, ancestry: ancestry,
            reporterName: reporterName ?? (anonymous ? nil : reporter.actor?.displayName), reporterPhone: reporterPhone,
            anonymous: anonymous, reporterUsername: reporter.username, hotlineNumber: hotlineNumber, hotlineTicket: hotlineTicket,
            petitionKind: petitionKind, attributesJSON: attributesJSON, createdAt: now,
            snapshot: onSpot ? try SnapshotColumns(afterSpot) : initialColumns,
            clocks: try ClockColumns(deadlines, open: afterSpot.state.isOpen, thresholds: sla.thresholds, calendar: sla.calendar),
            result: onSpotCommand?.result, lastAction: onSpotCommand == nil ? .report : .resolveOnSpot, version: events.count)
        let pending = PendingIntake(row: row, dayKey: "\(row.countyCode)-\(CaseCode.dayKey(now, timeZone: timeZone))", events: events,
                                    rollups: rollups.compactMap { $0 }, photos: photos, queuedTerms: CaseSearchTerms.queued(description: description, address: address),
                                    queryCode: queryCode.map(QueryCodeChoice.given) ?? .issued(random: UInt64.random(in: 0...UInt64.max)))
        let (db, timeZone, queryCodes) = (db, timeZone, queryCodes)
        let write: @Sendable ([PendingIntake]) async throws -> [WrittenCase] = { group in
            try await db.writeRows { rows in try await IntakeWriter.write(group, timeZone: timeZone, queryCodes: queryCodes, into: rows) }
        }
        let written = if let commits {
            try await commits.submit(pending, write: write)
        } else {
            try await write([pending])[0]
        }
        return IntakeResult(id: written.id, code: written.code, row: row, queryCode: written.queryCode)
    }

    /// Reports without a place land at the first county (an installation usually serves one).
    func defaultIntakeAncestry() async throws -> OrgAncestry {
        guard let county = try await OrgUnitModel.query(on: db).filter(\.$level == OrgLevel.county.rawValue).sort(\.$code).first() else {
            throw AppError(.unavailable, code: "setup.no_county", zh: "系统尚未配置县区。", en: "No county is set up yet.")
        }
        return county.ancestry
    }
}
