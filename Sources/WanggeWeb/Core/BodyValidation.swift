import Foundation
import Vapor
import WanggeDomain

/// Text bodies (JSON, form-urlencoded) must be valid UTF-8 and at most 1 MB; the decoders would
/// otherwise accept broken bytes silently. Multipart bodies (photos) have their own, larger limits.
struct TextBodyValidationMiddleware: AsyncMiddleware {
    static let limit = 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let type = request.headers.contentType
        if request.method != .GET, type == .json || type == .urlEncodedForm {
            let body: ByteBuffer?
            if let data = request.body.data {
                body = data
            } else {
                do {
                    body = try await request.body.collect(max: Self.limit).get()
                } catch {
                    throw AppError(.badRequest, code: "body.too_large", zh: "请求内容过大(最多 1 MB)。", en: "The request body is too large (1 MB at most).")
                }
            }
            if let body, body.readableBytes > Self.limit {
                throw AppError(.badRequest, code: "body.too_large", zh: "请求内容过大(最多 1 MB)。", en: "The request body is too large (1 MB at most).")
            }
            if let body, String(validating: body.readableBytesView, as: UTF8.self) == nil {
                throw AppError.invalid("body.utf8", zh: "请求内容不是有效的 UTF-8 文本。", en: "The request body is not valid UTF-8.")
            }
        }
        return try await next.respond(to: request)
    }
}
