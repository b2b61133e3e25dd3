import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Open311 GeoReport v2 under `/open311/v2`: categories are services, cases are service requests.
/// Only reports the public could make (citizen and Open311 channels) are listed; petitions, hotline
/// and window cases stay internal.
struct Open311Controller: RouteCollection {
    static let publicChannels = [WanggeDomain.Channel.citizen.rawValue, WanggeDomain.Channel.open311.rawValue]

    func boot(routes: any RoutesBuilder) throws {
        let v2 = routes.grouped("open311", "v2")
        v2.getHeavy(":file", use: top)
        v2.post(":file", use: post)
        v2.get("services", ":file", use: serviceDefinition)
        v2.get("requests", ":file", use: oneRequest)
        v2.get("tokens", ":file", use: token)
        v2.get("media", ":code", ":id", use: media)
    }

    /// Runs a handler, turning every failure into the specification's error array.
    func handle(_ req: Request, _ file: String, _ body: (String, Open311Format) async throws -> Response) async -> Response {
        guard let (name, format) = Open311Format.split(file) else {
            return Open311Format.json.error(.notFound, "Unknown resource; use .json or .xml")
        }
        do {
            return try await body(name, format)
        } catch let error as AppError {
            let status: HTTPResponseStatus = switch error.kind {
            case .notFound: .notFound
            case .forbidden, .unauthorized: .forbidden
            case .tooManyRequests: .tooManyRequests
            case .conflict, .badRequest, .locked: .badRequest
            case .unavailable: .serviceUnavailable
            }
            return format.error(status, error.messageEN + " / " + error.messageZH)
        } catch let error as any AbortError {
            return format.error(error.status.code < 500 ? error.status : .badRequest, error.reason)
        } catch {
            req.logger.report(error: error)
            return format.error(.internalServerError, "Internal error")
        }
    }

    @Sendable func top(req: Request) async throws -> Response {
        await handle(req, req.parameters.get("file")!) { name, format in
            switch name {
            case "discovery": return format.response(discovery(req), root: "discovery")
            case "services": return format.response(try await services(req), root: "services")
            case "requests": return try await Self.respond(try await listRequests(req), format, req)
            default: throw AppError.notFound()
            }
        }
    }

    @Sendable func post(req: Request) async throws -> Response {
        await handle(req, req.parameters.get("file")!) { name, format in
            guard name == "requests" else { throw AppError.notFound() }
            return format.response(try await createRequest(req), root: "service_requests")
        }
    }

    func discovery(_ req: Request) -> Open311Value {
        let time = Open311Time(timeZone: req.application.wanggeConfig.timeZone)
        let changeset = time.string(Date(timeIntervalSince1970: 1_795_363_200)) // when this API last changed
        let base = Self.baseURL(req) + "/open311/v2"
        let endpoint = Open311Value.object([
            ("specification", .string("http://wiki.open311.org/GeoReport_v2")), ("url", .string(base)),
            ("changeset", .string(changeset)), ("type", .string("production")),
            ("formats", .array(itemName: "format", [.string("application/json"), .string("text/xml")])),
        ])
        return .object([
            ("changeset", .string(changeset)), ("contact", .string("请联系本地综治中心系统管理员 / Contact the governance centre's administrator")),
            ("key_service", .string("API keys are issued by a Wangge administrator (POST /api/v1/open311-keys)")),
            ("endpoints", .array(itemName: "endpoint", [endpoint])),
        ])
    }

    func services(_ req: Request) async throws -> Open311Value {
        let catalog = try await req.application.catalogNames(on: req.database)
        let rows = catalog.categoryList.filter(\.active)
        let groups = Dictionary(uniqueKeysWithValues: rows.filter { $0.parentCode == nil }.map { ($0.code, $0.name) })
        return .array(itemName: "service", rows.filter { $0.parentCode != nil }.map { category in
            let group = groups[category.parentCode ?? ""] ?? ""
            return .object([
                ("service_code", .string(category.code)), ("service_name", .string(category.name)),
                ("description", .string("\(group) / \(category.name)")), ("metadata", .bool(!(catalog.intakeCategories[category.code]?.attributes.isEmpty ?? true))),
                ("type", .string("realtime")), ("keywords", .string(group)), ("group", .string(group)),
            ])
        })
    }

    @Sendable func serviceDefinition(req: Request) async throws -> Response {
        await handle(req, req.parameters.get("file")!) { code, format in
            guard let category = try await CategoryModel.query(on: req.database).filter(\.$code == code).filter(\.$active == true).first(),
                  category.parentCode != nil else {
                throw AppError(.notFound, code: "open311.service", zh: "服务类别不存在。", en: "service_code not found")
            }
            let attributes = category.attributes.enumerated().map { index, attribute in
                Open311Value.object([
                    ("variable", .bool(true)), ("code", .string(attribute.code)), ("datatype", .string(attribute.datatype.rawValue)),
                    ("required", .bool(attribute.required)), ("datatype_description", .string(nil)),
                    ("order", .number(Double(index + 1))), ("description", .string(attribute.description)),
                    ("values", .array(itemName: "value", attribute.values.map { .object([("key", .string($0.key)), ("name", .string($0.name))]) })),
                ])
            }
            return format.response(.object([("service_code", .string(category.code)), ("attributes", .array(itemName: "attribute", attributes))]),
                                   root: "service_definition")
        }
    }

    @Sendable func oneRequest(req: Request) async throws -> Response {
        await handle(req, req.parameters.get("file")!) { id, format in
            let found = try await Open311RequestRow.read(CaseListQuery(on: req.database).filter("code", .equal, id).filter("channel", in: Self.publicChannels),
                                                         limit: 1, on: req.database)
            guard !found.isEmpty else {
                throw AppError(.notFound, code: "open311.request", zh: "服务请求不存在。", en: "service_request_id not found")
            }
            return try await Self.respond(found, format, req)
        }
    }

    @Sendable func token(req: Request) async throws -> Response {
        await handle(req, req.parameters.get("file")!) { token, format in
            let model = try await req.trackedCase(token, by: CaseQueryService(db: req.database))
            let item = Open311Value.object([("service_request_id", .string(model.code)), ("token", .string(token))])
            return format.response(.array(itemName: "request", [item]), root: "service_requests")
        }
    }

    @Sendable func media(req: Request) async throws -> Response {
        guard let model = try await CaseModel.query(on: req.database).filter(\.$code == req.parameters.get("code")!)
            .filter(\.$channel ~~ Self.publicChannels).first() else { throw AppError.notFound() }
        return try await CasesAPIController.serve(attachmentID: req.parameters.get("id", as: Int.self), caseID: model.requireID(), on: req)
    }

    func listRequests(_ req: Request) async throws -> [Open311RequestRow] {
        // The query string decoded once (`QueryParameters`), not again for each key.
        let params = QueryParameters(req)
        var query = CaseListQuery(on: req.database).filter("channel", in: Self.publicChannels)
        if let ids = params["service_request_id"], !ids.isEmpty {
            query = query.filter("code", in: ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        } else {
            if let codes = params["service_code"], !codes.isEmpty {
                query = query.filter("category_code", in: codes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            }
            let start = try Self.date(params, "start_date")
            let end = try Self.date(params, "end_date")
            // Without dates: the last 90 days, as the specification suggests.
            query = query.filter("created_at", .greaterThanOrEqual, start ?? (end ?? req.now).addingTimeInterval(-90 * 86400))
            if let end { query = query.filter("created_at", .lessThanOrEqual, end) }
            if let status = params["status"], !status.isEmpty {
                let wanted = Set(status.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                guard wanted.isSubset(of: ["open", "closed"]) else {
                    throw AppError.invalid("open311.status", zh: "status 须为 open 或 closed。", en: "status must be open or closed")
                }
                if wanted == ["open"] { query = query.filter("state", in: CaseState.openStates.map(\.rawValue)) }
                if wanted == ["closed"] { query = query.filter("state", notIn: CaseState.openStates.map(\.rawValue)) }
            }
        }
        // Newest first by the time filed, from the (created_at, id) index: the walk starts at the window's end and
        // stops at its start or with its requests. Walked in id order, a window with fewer than 1,000 public requests
        // (a county whose citizens report by phone, a narrow service) passed every case back to the first ever filed.
        return try await Open311RequestRow.read(query.sort("created_at", .descending).sort("id", .descending), limit: 1000, on: req.database)
    }

    static func date(_ params: QueryParameters, _ name: String) throws -> Date? {
        guard let raw = params[name], !raw.isEmpty else { return nil }
        guard let date = Open311Time.parse(raw) else {
            throw AppError.invalid("open311.date", zh: "\(name) 须为 ISO 8601 时间。", en: "\(name) must be an ISO 8601 datetime")
        }
        return date
    }

    static func baseURL(_ req: Request) -> String {
        let host = req.headers.first(name: .host) ?? "127.0.0.1"
        return "http://\(host)"
    }

    /// Cases as Open311 service requests, written straight from the rows.
    static func respond(_ requests: [Open311RequestRow], _ format: Open311Format, _ req: Request) async throws -> Response {
        let writer = try await Open311RequestWriter(req)
        switch format {
        case .json: return Open311Format.json(writer.json(requests))
        case .xml: return Open311Format.xml(writer.xml(requests))
        }
    }
}
