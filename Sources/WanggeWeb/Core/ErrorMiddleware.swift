import FluentKit
import Vapor
import WanggeDomain

/// The one place where errors become responses: JSON `{"error": {"code", "message"}}` under `/api`
/// and `/open311`, a Chinese (or English) error page elsewhere. Unknown errors are logged and shown
/// without internals.
struct WanggeErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let appError = Self.appError(from: error)
            if appError.kind == .unavailable || appError.code == "internal" {
                request.logger.report(error: error)
            }
            let status = Self.status(appError.kind, isInternal: appError.code == "internal")
            if request.wantsJSON {
                let body = APIErrorBody(error: .init(code: appError.code, message: appError.message(english: request.isEnglish),
                                                     field: appError.field))
                let response = Response(status: status)
                try response.content.encode(body, as: .json)
                return response
            }
            return try await ErrorPage.render(appError, status: status, for: request)
        }
    }

    static func status(_ kind: AppError.Kind, isInternal: Bool) -> HTTPResponseStatus {
        if isInternal { return .internalServerError }
        switch kind {
        case .badRequest: return .badRequest
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .locked: return .locked
        case .tooManyRequests: return .tooManyRequests
        case .unavailable: return .serviceUnavailable
        }
    }

    static func appError(from error: any Error) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let error as any DatabaseError where error.isConstraintFailure:
            return AppError(.conflict, code: "conflict", zh: "数据与已有记录冲突(可能重复),未保存。",
                            en: "The data conflicts with an existing record (probably a duplicate); nothing was saved.")
        case let error as DecodingError:
            return AppError.invalid("invalid_body", zh: "请求内容格式不正确:" + Self.describe(error),
                                    en: "Malformed request body: " + Self.describe(error))
        case let error as any AbortError:
            let kind: AppError.Kind = switch error.status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 429: .tooManyRequests
            case 503: .unavailable
            case 400..<500: .badRequest
            default: .unavailable
            }
            if error.status.code >= 500 {
                return AppError(.unavailable, code: "internal", zh: "服务器内部错误,请稍后再试。", en: "Internal server error.")
            }
            let reason = error.reason
            let zh: String = switch error.status.code {
            case 404: "页面或接口不存在。"
            case 405: "不支持此请求方法。"
            case 413: "上传内容过大。"
            case 415: "不支持的内容类型。"
            default: "请求无效:\(reason)"
            }
            return AppError(kind, code: "http_\(error.status.code)", zh: zh, en: reason)
        default:
            return AppError(.unavailable, code: "internal", zh: "服务器内部错误,请稍后再试。", en: "Internal server error.")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, _): return "缺少字段 \(key.stringValue) / missing field \(key.stringValue)"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "字段 \(path) 类型不正确 / wrong type at \(path)"
        case .dataCorrupted: return "JSON 无法解析 / invalid JSON"
        @unknown default: return "invalid"
        }
    }
}

struct APIErrorBody: Content {
    struct Detail: Content {
        var code: String
        var message: String
        var field: String?
    }

    var error: Detail
}

extension Request {
    /// API clients get JSON errors; browsers get pages.
    var wantsJSON: Bool {
        let path = routePath
        return path.hasPrefix("/api/") || path.hasPrefix("/open311/") || path == "/healthz"
    }
}
