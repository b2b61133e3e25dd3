import Foundation
import Vapor
import WanggeDomain

/// Text bodies (JSON, form-urlencoded) must be valid UTF-8 and at most 1 MB; the decoders would
/// otherwise accept broken bytes silently. Multipart bodies (photos) have their own, larger limits.
struct TextBodyValidationMiddleware: AsyncMiddleware {
    static let limit = 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET, let type = request.headers.bodyType, type == "application/json" || type == "application/x-www-form-urlencoded" {
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

extension HTTPHeaders {
    /// The body's media type as `type/subtype` in lower case, without parameters, read from the
    /// header's text: Vapor's `contentType` parses it into a media type with a dictionary of
    /// parameters, and that was 2% of an intake each time it was asked.
    ///
    /// Read from the bytes when the header is ASCII, as it always is in practice: Foundation's trimming
    /// and lower-casing, asked twice per JSON report, were 0.8% of an intake. Spaces and tabs are the
    /// only ASCII characters `.whitespaces` holds.
    var bodyType: String? {
        guard let value = first(name: .contentType) else { return nil }
        var type = value.utf8.prefix { $0 != UInt8(ascii: ";") }
        guard type.allSatisfy({ $0 < 0x80 }) else { return Self.bodyTypeOfUnicode(value) }
        let blank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = type.first, blank(first) { type.removeFirst() }
        while let last = type.last, blank(last) { type.removeLast() }
        return String(decoding: type.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The same with Foundation, for a header that is not ASCII.
    static func bodyTypeOfUnicode(_ value: String) -> String {
        value.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
