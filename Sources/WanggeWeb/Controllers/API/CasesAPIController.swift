import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/api/v1/cases`: intake from every channel, the work queues, one case with its allowed actions,
/// transitions, the timeline and photos.
struct CasesAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let cases = routes.grouped("cases")
        cases.on(.POST, body: .collect(maxSize: "95mb"), use: create)
        cases.get(use: list)
        cases.get(":code", use: show)
        cases.get(":code", "events", use: events)
        cases.get(":code", "duplicates", use: duplicates)
        cases.on(.POST, ":code", "transitions", body: .collect(maxSize: "95mb"), use: transition)
        cases.get(":code", "attachments", ":id", use: attachment)
        cases.post(":code", "contact", use: contact)
        routes.get("access-log", use: accessLog)
    }

    /// Multipart form fields: the JSON fields flattened (`lat`, `lon` instead of `location`) plus `photos[]`.
    struct MultipartIntake: Content {
        var channel: String
        var description: String
        var categoryCode: String?
        var lat: Double?
        var lon: Double?
        var address: String?
        var gridCode: String?
        var reporterName: String?
        var reporterPhone: String?
        var anonymous: Bool?
        var urgency: String?
        var hotlineNumber: String?
        var hotlineTicket: String?
        var petitionKind: String?
        var resolvedOnSpot: Bool?
        var result: String?
        var photos: [File]?

        var input: IntakeInput {
            IntakeInput(channel: channel, description: description, categoryCode: categoryCode,
                        location: lat.flatMap { lat in lon.map { IntakeInput.Location(lat: lat, lon: $0) } },
                        address: address, gridCode: gridCode, reporterName: reporterName, reporterPhone: reporterPhone,
                        anonymous: anonymous, urgency: urgency, hotlineNumber: hotlineNumber, hotlineTicket: hotlineTicket,
                        petitionKind: petitionKind, resolvedOnSpot: resolvedOnSpot, result: result)
        }
    }

    @Sendable func create(req: Request) async throws -> Response {
        let (input, files) = try Self.decodeIntake(req)
        let created = try await CaseIntake.run(input, files: files, on: req)
        return try Response(json: created, status: .created)
    }

    static func decodeIntake(_ req: Request) throws -> (IntakeInput, [File]) {
        let type = req.headers.bodyType
        if type == "multipart/form-data" {
            let form = try req.content.decode(MultipartIntake.self)
            return (form.input, form.photos ?? [])
        }
        return (try decodeBody(IntakeInput.self, type: type, req), [])
    }

    /// A body that is not a form: JSON, as apps send it, read straight from its bytes (through `req.content` the
    /// type is parsed again and Foundation's decoder builds a dictionary per object); any other type through
    /// `req.content`. `type` is the request's `bodyType`, which the caller has read.
    static func decodeBody<T: Decodable>(_: T.Type, type: String?, _ req: Request) throws -> T {
        if type == "application/json", let body = req.body.data {
            return try body.withUnsafeReadableBytes { try TapeJSONDecoder().decode(T.self, from: $0) }
        }
        return try req.content.decode(T.self)
    }

    @Sendable func list(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let filter = try CaseFilter.from(req)
        let cases = try await CaseQueryService(db: req.database).list(filter, for: actor)
        let names = try await NameBook.load(on: req)
        let sla = try await req.sla()
        let next = cases.count == filter.limit ? cases.last.map { String($0.id) } : nil
        return try Response(json: Page(items: cases.map { CaseSummaryDTO($0, names: names, sla: sla, now: req.now) }, next: next))
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let (view, snapshot, relation) = try await CaseTransitionService(db: req.database).view(code: req.parameters.get("code")!, for: actor)
        return try Response(json: await Self.dto(view, snapshot: snapshot, relation: relation, on: req))
    }

    static func dto(_ model: some CaseDisplayFields, snapshot: CaseSnapshot, relation: CaseRelation, on req: Request) async throws -> CaseDTO {
        let units = Set([model.gridCode, snapshot.centreOrgCode].compactMap { $0 })
        let names = try await NameBook.load(on: req, unitCodes: units)
        guard let id = model.id else { throw AppError.notFound("case") }
        let attachments = try await CaseQueryService(db: req.database).attachments(caseID: id, counted: model.photoCount)
        var masterCode: String?
        if let masterID = model.masterCaseID { masterCode = try await CaseModel.find(masterID, on: req.database)?.code }
        return CaseDTO(model, snapshot: snapshot, relation: relation, names: names, attachments: attachments, masterCode: masterCode,
                       sla: try await req.sla(), now: req.now)
    }

    @Sendable func events(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let (id, photoCount) = try await CaseTransitionService(db: req.database).readableID(code: req.parameters.get("code")!, for: actor)
        let queries = CaseQueryService(db: req.database)
        let attachments = try await queries.attachments(caseID: id, counted: photoCount)
        return try Response(json: await queries.events(caseID: id).map { CaseEventDTO($0, attachments: attachments) })
    }

    @Sendable func duplicates(req: Request) async throws -> [CaseSummaryDTO] {
        let actor = try req.requireActor()
        let (model, _, _) = try await CaseTransitionService(db: req.database).load(code: req.parameters.get("code")!, for: actor)
        guard let lat = model.lat, let lon = model.lon else { return [] }
        let queries = CaseQueryService(db: req.database)
        let hints = try await queries.models(ids: queries.duplicateHints(lat: lat, lon: lon, categoryCode: model.categoryCode,
                                                                          excluding: model.id, now: req.now, visibleTo: actor,
                                                                          floor: req.application.recentCasesFloor).map(\.id))
        let names = try await NameBook.load(on: req)
        let sla = try await req.sla()
        return hints.filter { CaseAccess.relation(of: actor, to: $0, snapshot: (try? $0.snapshot) ?? CaseSnapshot(centreOrgCode: "")).canRead }
            .map { CaseSummaryDTO($0, names: names, sla: sla, now: req.now) }
    }

    @Sendable func transition(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let code = req.parameters.get("code")!
        let (model, snapshot) = try await CaseActions.perform(req, code: code, actor: actor) {
            // The type read as text: parsed into Vapor's media type, it was a sixtieth of a transition's CPU.
            let type = req.headers.bodyType
            if type == "multipart/form-data" {
                let form = try req.content.decode(TransitionForm.self)
                return (form.input, form.photos ?? [])
            }
            return (try Self.decodeBody(TransitionInput.self, type: type, req), [])
        }
        // Answer with the case as it now stands, even when the action took it out of the actor's hands
        // (a department that returned it sees it once more, with no actions left).
        return try Response(json: await Self.dto(model, snapshot: snapshot, relation: CaseAccess.relation(of: actor, to: model, snapshot: snapshot), on: req))
    }

    struct ContactDTO: Content {
        var reporterName: String?
        var reporterPhone: String?
    }

    /// Reveals the reporter's contact to someone who must call back; the reveal is logged.
    @Sendable func contact(req: Request) async throws -> ContactDTO {
        let actor = try req.requireActor()
        let (name, phone) = try await ContactReveal(db: req.database).reveal(code: req.parameters.get("code")!, actor: actor,
                                                                       clientAddress: req.clientAddress, now: req.now)
        return ContactDTO(reporterName: name, reporterPhone: phone)
    }

    struct AccessLogDTO: Content {
        var username: String
        var role: String
        var subject: String
        var field: String
        var clientAddress: String?
        var at: Date
    }

    /// The access log of personal data, newest first (administrators).
    @Sendable func accessLog(req: Request) async throws -> [AccessLogDTO] {
        try req.requireActor().requireAdmin()
        return try await AccessLogModel.query(on: req.database).sort(\.$id, .descending).limit(500).all().map {
            AccessLogDTO(username: $0.username, role: $0.role, subject: $0.subject, field: $0.field, clientAddress: $0.clientAddress, at: $0.createdAt)
        }
    }

    @Sendable func attachment(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let (model, _, _) = try await CaseTransitionService(db: req.database).load(code: req.parameters.get("code")!, for: actor)
        return try await Self.serve(attachmentID: req.parameters.get("id", as: Int.self), caseID: model.requireID(), on: req)
    }

    static func serve(attachmentID: Int?, caseID: Int, on req: Request, onlyEvents: Set<Int>? = nil) async throws -> Response {
        guard let attachmentID,
              let row = try await AttachmentModel.query(on: req.database).filter(\.$id == attachmentID).filter(\.$caseID == caseID).first(),
              onlyEvents.map({ set in row.eventID.map(set.contains) ?? false }) ?? true,
              let path = req.application.photoStore.path(sha: row.sha256, contentType: row.contentType)
        else { throw AppError.notFound("attachment") }
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.replaceOrAdd(name: .contentType, value: row.contentType)
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return response
    }
}

struct IntakeResponseDTO: Content {
    var code: String
    var queryCode: String
    var state: String
    var stateName: String
    var channel: String
    var gridCode: String?
    var outsideGrids: Bool
    var version: Int
    var trackURL: String
    var duplicateHints: [CaseSummaryDTO]
}

/// A transition as a form (the case page, or multipart with photos from a phone app); empty fields count as absent.
struct TransitionForm: Content {
    var action: String
    var version: Int?
    var note: String?
    var categoryCode: String?
    var departmentCode: String?
    var coDepartmentCodes: [String]?
    var gridCode: String?
    var targetOrgCode: String?
    var masterCode: String?
    var rating: String?
    var result: String?
    var extensionHours: Int?
    var photos: [File]?

    var input: TransitionInput {
        func value(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        return TransitionInput(action: action, version: version, note: note, categoryCode: value(categoryCode),
                               departmentCode: value(departmentCode), coDepartmentCodes: coDepartmentCodes, gridCode: value(gridCode),
                               targetOrgCode: targetOrgCode, masterCode: masterCode, rating: value(rating), result: result,
                               extensionHours: extensionHours)
    }
}

/// Transitions shared by the API and the pages.
enum CaseActions {
    /// Checks the caller may see the case (404 before the body is even read), decodes the body, and
    /// performs the action with its photos.
    static func perform(_ req: Request, code: String, actor: Actor,
                        decode: () throws -> (TransitionInput, [File])) async throws -> (CaseModel, CaseSnapshot) {
        let loaded = try await req.transitions.load(code: code, for: actor)
        let (input, files) = try decode()
        let sla = try await req.sla()
        return try await req.withPhotos(files) { photos in
            try await req.transitions.perform(code: code, input, actor: actor, loaded: loaded, photos: photos, now: req.now,
                                              sla: sla, notifier: req.application.notifier)
        }
    }
}

/// The application's queue of reports waiting to be written together (made in `configure`).
struct IntakeCommitsKey: StorageKey {
    typealias Value = IntakeCommits
}

/// The application's queue of transitions waiting to be written together (made in `configure`).
struct TransitionCommitsKey: StorageKey {
    typealias Value = TransitionCommits
}

extension Request {
    /// Transitions of this request, written with those of other requests that arrive with them.
    var transitions: CaseTransitionService {
        CaseTransitionService(db: database, commits: application.storage[TransitionCommitsKey.self])
    }
}

/// Intake shared by the API and the pages.
enum CaseIntake {
    static func run(_ input: IntakeInput, files: [File], on req: Request) async throws -> IntakeResponseDTO {
        let actor = req.currentUser?.actor
        // Open311 clients are limited per API key instead.
        if actor == nil, input.channel != WanggeDomain.Channel.open311.rawValue { try req.enforceRateLimit(.intake) }
        // Looked up once: each `req.database` and `req.application.…` is a search of the application's storage under its lock.
        let (app, database) = (req.application, req.database)
        var locatedGrid: String?
        if let location = input.location, GeoPoint(lon: location.lon, lat: location.lat).isValidWGS84 {
            locatedGrid = try await app.gridLocatorCache.locator(on: database).locate(GeoPoint(lon: location.lon, lat: location.lat))
        }
        let service = CaseIntakeService(db: database, timeZone: app.wanggeConfig.timeZone,
                                        commits: app.storage[IntakeCommitsKey.self],
                                        categories: try await app.catalogNames(on: database).intakeCategories,
                                        queryCodes: try await app.queryCodeCipher(on: database))
        let sla = try await app.slaContext(on: database)
        let result = try await req.withPhotos(files) { photos in
            try await service.intake(input, by: Reporter(actor: actor), locatedGrid: locatedGrid, photos: photos, now: req.now, sla: sla)
        }
        let row = result.row
        var hints: [CaseSummaryDTO] = []
        if let lat = row.lat, let lon = row.lon, let actor, actor.role.isStaff {
            let names = try await NameBook.load(on: req)
            hints = try await CaseQueryService(db: database)
                .duplicateHints(lat: lat, lon: lon, categoryCode: row.categoryCode, excluding: result.id, now: req.now, visibleTo: actor,
                                floor: req.application.recentCasesFloor)
                .map { CaseSummaryDTO($0, names: names, sla: sla, now: req.now) }
        }
        return IntakeResponseDTO(code: result.code, queryCode: result.queryCode, state: row.state.rawValue, stateName: row.state.nameZH,
                                 channel: row.channel.rawValue, gridCode: row.gridCode, outsideGrids: row.outsideGrids,
                                 version: row.version, trackURL: "/track/\(result.queryCode)", duplicateHints: hints)
    }
}

extension CaseFilter {
    static func from(_ req: Request, query params: QueryParameters? = nil) throws -> CaseFilter {
        let params = params ?? QueryParameters(req)
        var filter = CaseFilter()
        if let raw = params["queue"] {
            guard let queue = CaseQueue(rawValue: raw) else {
                throw AppError.invalid("case.queue", zh: "未知的待办列表「\(raw)」。", en: "Unknown queue \(raw).", field: "queue")
            }
            filter.queue = queue
        }
        if let raw = params["status"], !raw.isEmpty {
            filter.states = try raw.split(separator: ",").map { part in
                guard let state = CaseState(rawValue: String(part)) else {
                    throw AppError.invalid("case.status", zh: "未知的状态「\(part)」。", en: "Unknown status \(part).", field: "status")
                }
                return state
            }
        }
        filter.categoryCode = params["category"].flatMap { $0.isEmpty ? nil : $0 }
        if let raw = params["channel"], !raw.isEmpty {
            guard let channel = WanggeDomain.Channel(rawValue: raw) else { throw AppError.invalid("case.channel", zh: "未知的渠道「\(raw)」。", en: "Unknown channel.", field: "channel") }
            filter.channel = channel
        }
        if let raw = params["urgency"], !raw.isEmpty {
            guard let urgency = Urgency(rawValue: raw) else { throw AppError.invalid("case.urgency", zh: "未知的紧急程度。", en: "Unknown urgency.", field: "urgency") }
            filter.urgency = urgency
        }
        filter.withinOrgCode = params["within"].flatMap { $0.isEmpty ? nil : $0 }
        filter.from = try Self.date(params["from"], field: "from")
        filter.to = try Self.date(params["to"], field: "to")
        filter.search = params["q"]
        if let raw = params["warning"], !raw.isEmpty {
            guard let level = WarningLevel(rawValue: raw), level != .none else {
                throw AppError.invalid("case.warning", zh: "预警颜色须为 red、yellow 或 blue。", en: "warning is red, yellow or blue.", field: "warning")
            }
            filter.warning = level
        }
        // One moment for the request: a list's colours and its search's choice of walk (`CaseQueryService.list`).
        filter.now = req.now
        if let after = params["after"], !after.isEmpty {
            guard let id = Int(after) else { throw AppError.invalid("page.cursor", zh: "分页参数不正确。", en: "Bad page cursor.", field: "after") }
            filter.beforeID = id
        }
        if let limit = params["limit"] { filter.limit = try PageLimit.parse(limit, max: 100) }
        return filter
    }

    /// `2026-11-22` (start of that day in China Standard Time) or a full ISO 8601 time.
    static func date(_ raw: String?, field: String) throws -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        if let date = ISO8601DateFormatter().date(from: raw) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "Asia/Shanghai")
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: raw) { return date }
        throw AppError.invalid("date", zh: "日期格式应为 2026-11-22。", en: "Dates look like 2026-11-22.", field: field)
    }
}
