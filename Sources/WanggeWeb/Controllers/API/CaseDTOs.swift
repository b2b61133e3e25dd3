import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// Names for codes, loaded once per request (the tables are small). Read as plain (code, name)
/// rows: decoding whole Fluent models reflects over every property of every row, which cost more
/// than the rest of a tracking request.
struct NameBook {
    var departments: [String: String] = [:]
    var categories: [String: String] = [:]
    var units: [String: String] = [:]

    /// From the application's copy (see `CatalogNames`); `unitCodes` says which units' names are wanted.
    static func load(on req: Request, unitCodes: Set<String> = []) async throws -> NameBook {
        let catalog = try await req.application.catalogNames(on: req.database)
        var book = NameBook(departments: catalog.departments, categories: catalog.categories)
        for code in unitCodes {
            if let name = catalog.units[code] { book.units[code] = name }
        }
        return book
    }

    /// Everything read now, for work outside a request.
    static func load(on db: any Database) async throws -> NameBook {
        var book = NameBook()
        guard let sql = db as? any SQLDatabase else { return book }
        book.departments = try await names(sql, DepartmentModel.schema)
        book.categories = try await names(sql, CategoryModel.schema)
        return book
    }

    static func names(_ sql: any SQLDatabase, _ table: String) async throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try await sql.select().columns("code", "name").from(table).all() {
            let (code, name) = try row.codeAndName()
            out[code] = name
        }
        return out
    }
}

struct CodeName: Content {
    var code: String
    var name: String
}

struct CaseDTO: Content {
    var code: String
    var queryCode: String?
    var version: Int
    var state: String
    var stateName: String
    var channel: String
    var channelName: String
    var description: String
    var category: CodeName?
    var urgency: String
    var location: IntakeInput.Location?
    var address: String?
    var outsideGrids: Bool
    var grid: CodeName?
    var townshipCode: String?
    var centre: CodeName
    var leadDepartment: CodeName?
    var coDepartments: [CodeName]
    var assignedGrid: String?
    var handler: String?
    var reporterName: String?
    var reporterPhone: String?
    var canRevealContact: Bool
    var anonymous: Bool
    var hotlineNumber: String?
    var hotlineTicket: String?
    var petitionKind: String?
    var result: String?
    var rating: String?
    var masterCode: String?
    var counters: CaseSnapshot.Counters
    var extensionRequested: Bool
    var escalationRequested: Bool
    var resolvedOnSpot: Bool
    var allowedActions: [String]
    var attachments: [AttachmentDTO]
    var duplicateHints: [CaseSummaryDTO]?
    var deadlines: DeadlinesDTO
    var warning: String
    var overdueAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var closedAt: Date?

    init(_ model: some CaseDisplayFields, snapshot: CaseSnapshot, relation: CaseRelation, names: NameBook, attachments: [AttachmentModel],
         masterCode: String? = nil, sla: SLAContext, now: Date) {
        let stored = model.deadlines
        deadlines = DeadlinesDTO(stored)
        warning = sla.warning(state: model.caseState, deadlines: stored, at: now).rawValue
        overdueAt = model.overdueAt
        code = model.code
        version = model.version
        state = model.state
        stateName = model.caseState.nameZH
        channel = model.channel
        channelName = model.caseChannel.nameZH
        description = model.description
        category = model.categoryCode.map { CodeName(code: $0, name: names.categories[$0] ?? $0) }
        urgency = model.urgency
        if let lat = model.lat, let lon = model.lon { location = .init(lat: lat, lon: lon) }
        address = model.address
        outsideGrids = model.outsideGrids
        grid = model.gridCode.map { CodeName(code: $0, name: names.units[$0] ?? $0) }
        townshipCode = model.townshipCode
        centre = CodeName(code: snapshot.centreOrgCode, name: names.units[snapshot.centreOrgCode] ?? snapshot.centreOrgCode)
        leadDepartment = snapshot.leadDepartmentCode.map { CodeName(code: $0, name: names.departments[$0] ?? $0) }
        coDepartments = snapshot.coDepartmentCodes.map { CodeName(code: $0, name: names.departments[$0] ?? $0) }
        assignedGrid = snapshot.assignedGridCode
        handler = snapshot.handlerUsername
        // Always masked here; those who must call back reveal it (POST …/contact), and that is logged.
        reporterName = model.reporterName
        reporterPhone = model.reporterPhone.map { relation.contains(.reporter) ? $0 : PersonalData.maskPhone($0) }
        canRevealContact = model.reporterPhone != nil && !relation.isDisjoint(with: ContactReveal.permitted)
        anonymous = model.anonymous
        hotlineNumber = model.hotlineNumber
        hotlineTicket = model.hotlineTicket
        petitionKind = model.petitionKind
        result = model.result
        rating = model.rating
        self.masterCode = masterCode
        counters = snapshot.counters
        extensionRequested = snapshot.extensionRequested
        escalationRequested = snapshot.escalationRequested
        resolvedOnSpot = snapshot.resolvedOnSpot
        allowedActions = CaseMachine.allowedActions(snapshot, relation: relation).map(\.rawValue)
        self.attachments = attachments.map { AttachmentDTO($0, caseCode: model.code) }
        createdAt = model.createdAt
        updatedAt = model.updatedAt
        closedAt = model.closedAt
    }
}

struct CaseSummaryDTO: Content {
    var code: String
    var state: String
    var stateName: String
    var channel: String
    var description: String
    var category: CodeName?
    var urgency: String
    var address: String?
    var gridCode: String?
    var leadDepartmentCode: String?
    var warning: String
    var dueAt: Date?
    var createdAt: Date

    init(_ model: CaseModel, names: NameBook, sla: SLAContext, now: Date) {
        self.init(CaseSummary(model), names: names, sla: sla, now: now)
    }

    init(_ model: CaseSummary, names: NameBook, sla: SLAContext, now: Date) {
        warning = sla.warning(model, at: now).rawValue
        dueAt = model.dueAt
        code = model.code
        state = model.state
        stateName = model.caseState.nameZH
        channel = model.channel
        description = model.description
        category = model.categoryCode.map { CodeName(code: $0, name: names.categories[$0] ?? $0) }
        urgency = model.urgency
        address = model.address
        gridCode = model.gridCode
        leadDepartmentCode = model.leadDepartmentCode
        createdAt = model.createdAt
    }
}

/// Each clock with its due time and whether it was met (`null` while it runs).
struct DeadlinesDTO: Content {
    struct Clock: Content {
        var startedAt: Date
        var dueAt: Date
        var metAt: Date?
        var met: Bool?
        var limit: String
    }

    var accept: Clock?
    var resolve: Clock?
    var reply: Clock?

    init(_ d: CaseDeadlines) {
        func clock(_ deadline: Deadline?) -> Clock? {
            deadline.map { Clock(startedAt: $0.startedAt, dueAt: $0.dueAt, metAt: $0.metAt, met: $0.met, limit: $0.duration.labelZH) }
        }
        accept = clock(d.accept)
        resolve = clock(d.resolve)
        reply = clock(d.reply)
    }
}

struct AttachmentDTO: Content {
    var id: Int
    var contentType: String
    var size: Int
    var url: String

    init(_ model: AttachmentModel, caseCode: String) {
        id = model.id ?? 0
        contentType = model.contentType
        size = model.size
        url = "/api/v1/cases/\(caseCode)/attachments/\(model.id ?? 0)"
    }
}

struct CaseEventDTO: Content {
    struct ActorDTO: Content {
        var username: String?
        var name: String
        var role: String
        var orgCode: String?
        var departmentCode: String?
    }

    var seq: Int
    var action: String
    var actionName: String
    var fromState: String?
    var toState: String
    var actor: ActorDTO
    var note: String?
    var isPublic: Bool
    var attachmentIDs: [Int]
    var createdAt: Date

    init(_ event: CaseEventRecord, attachments: [AttachmentModel]) {
        seq = event.seq
        action = event.action
        actionName = event.caseAction?.nameZH ?? event.action
        fromState = event.fromState
        toState = event.toState
        actor = ActorDTO(username: event.actorUsername, name: event.actorName, role: event.actorRole,
                         orgCode: event.actorOrgCode, departmentCode: event.actorDepartmentCode)
        note = event.note
        isPublic = event.isPublic
        attachmentIDs = attachments.filter { $0.eventID == event.id }.compactMap(\.id)
        createdAt = event.createdAt
    }
}

/// What anyone holding the query code may see: no contact, no internal notes, no names of people.
struct TrackDTO: Content {
    struct Step: Content {
        var action: String
        var actionName: String
        var stateName: String
        var by: String
        var note: String?
        var at: Date
    }

    var code: String
    var state: String
    var stateName: String
    var category: String?
    var createdAt: Date
    var reply: String?
    var rating: String?
    var canEvaluate: Bool
    var timeline: [Step]
    var photos: [String]

    init(_ model: TrackedCase, events: [PublicEventRecord], attachments: [AttachmentModel], names: NameBook, queryCode: String) {
        code = model.code
        state = model.state
        stateName = model.caseState.nameZH
        category = model.categoryCode.map { names.categories[$0] ?? $0 }
        createdAt = model.createdAt
        reply = model.publicReply
        rating = model.rating
        canEvaluate = model.caseState == .verified
        timeline = events.map { event in
            let action = event.caseAction
            // Only the body that acted is named: a department, or the centre / grid service.
            let by: String = if let department = event.actorDepartmentCode {
                names.departments[department] ?? "职能部门"
            } else {
                switch event.actorRole {
                case "dispatcher": "综治中心"
                case "grid_worker": "网格员"
                case "citizen", "anonymous": "群众"
                default: "工作人员"
                }
            }
            let showsNote = [CaseAction.reject, .submitResult, .resolveOnSpot].contains(action)
            return Step(action: event.action, actionName: action?.nameZH ?? event.action,
                        stateName: CaseState(rawValue: event.toState)?.nameZH ?? event.toState, by: by,
                        note: showsNote ? event.note : nil, at: event.createdAt)
        }
        // Result events are public, so they are among these.
        let resultEventIDs = Set(events.filter { [CaseAction.submitResult.rawValue, CaseAction.resolveOnSpot.rawValue].contains($0.action) }.map(\.id))
        photos = attachments.filter { $0.eventID.map(resultEventIDs.contains) ?? false }
            .compactMap { $0.id.map { "/api/v1/track/\(queryCode)/photos/\($0)" } }
    }
}
