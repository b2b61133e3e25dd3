import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// POST requests: an Open311 client files a case with its API key.
extension Open311Controller {
    func createRequest(_ req: Request) async throws -> Open311Value {
        let params = Self.parameters(req)
        func one(_ name: String) -> String? { params[name]?.first.flatMap { $0.isEmpty ? nil : $0 } }

        guard let client = try await APIClientService(db: req.database).verify(one("api_key")) else {
            throw AppError(.forbidden, code: "open311.api_key", zh: "api_key 无效。", en: "Invalid api_key")
        }
        guard req.application.open311Limiter.admit(try client.requireID(), limit: client.requestsPerMinute, now: req.now) else {
            throw AppError(.tooManyRequests, code: "open311.rate", zh: "请求过于频繁,请稍后再试。", en: "Too many requests; slow down")
        }
        if let jurisdiction = one("jurisdiction_id") {
            let known = try await OrgUnitModel.query(on: req.database).filter(\.$code == jurisdiction)
                .filter(\.$level ~~ [OrgLevel.city.rawValue, OrgLevel.county.rawValue]).count() > 0
            guard known else { throw AppError(.notFound, code: "open311.jurisdiction", zh: "jurisdiction_id 不存在。", en: "jurisdiction_id not found") }
        }
        guard let serviceCode = one("service_code") else {
            throw AppError.invalid("open311.service_code", zh: "缺少 service_code。", en: "service_code was not provided")
        }
        guard try await CategoryModel.query(on: req.database).filter(\.$code == serviceCode).filter(\.$active == true).count() > 0 else {
            throw AppError(.notFound, code: "open311.service", zh: "服务类别不存在。", en: "service_code not found")
        }
        let lat = one("lat"), lon = one("long")
        let address = one("address_string")
        guard (lat != nil && lon != nil) || address != nil || one("address_id") != nil else {
            throw AppError.invalid("open311.location", zh: "须提供 lat/long 或 address_string。", en: "lat/long, address_string or address_id must be provided")
        }
        var location: IntakeInput.Location?
        if let lat, let lon {
            guard let la = Double(lat), let lo = Double(lon) else {
                throw AppError.invalid("open311.location", zh: "lat/long 须为数字。", en: "lat and long must be numbers")
            }
            location = .init(lat: la, lon: lo)
        }
        var attributes: [String: [String]] = [:]
        for (key, values) in params where key.hasPrefix("attribute[") {
            let code = key.dropFirst("attribute[".count).split(separator: "]").first.map(String.init) ?? ""
            attributes[code, default: []] += values
        }
        let name = [one("last_name"), one("first_name")].compactMap { $0 }.joined()
        let input = IntakeInput(channel: WanggeDomain.Channel.open311.rawValue, description: one("description") ?? "", categoryCode: serviceCode,
                                location: location, address: address, reporterName: name.isEmpty ? nil : name,
                                reporterPhone: one("phone"), attributes: attributes)
        let created = try await CaseIntake.run(input, files: [], on: req)
        return .array(itemName: "request", [.object([
            ("service_request_id", .string(created.code)),
            ("service_notice", .string("已受理,查询码 \(created.queryCode) / Received; query code \(created.queryCode)")),
            ("account_id", .string(nil)),
            ("token", .string(created.queryCode)),
        ])])
    }

    /// Form fields from the body (urlencoded) and the query string, keeping repeated keys.
    static func parameters(_ req: Request) -> [String: [String]] {
        var result: [String: [String]] = [:]
        func absorb(_ text: String) {
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                guard let key = parts.first, !key.isEmpty else { continue }
                let normalised = key.hasSuffix("[]") ? String(key.dropLast(2)) : key
                result[normalised, default: []].append(parts.count > 1 ? parts[1] : "")
            }
        }
        if let query = req.url.query { absorb(query) }
        if let body = req.body.string, req.headers.contentType != .json { absorb(body) }
        return result
    }
}

/// Per-client request counting (per app instance), by the client's id.
typealias Open311RateLimiter = MinuteWindows<UUID>

struct Open311LimiterKey: StorageKey {
    typealias Value = Open311RateLimiter
}

extension Application {
    var open311Limiter: Open311RateLimiter {
        stored(Open311LimiterKey.self, orMake: Open311RateLimiter())
    }
}
