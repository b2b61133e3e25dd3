/// The one error type every layer throws. The web layer maps `kind` to an HTTP status in one place,
/// pages show `messageZH` (or `messageEN`) next to `field`, the API returns `{"error": {"code", "message"}}`.
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest, unauthorized, forbidden, notFound, conflict, locked, tooManyRequests, unavailable
    }

    public var kind: Kind
    /// Stable machine-readable code, e.g. `org.parent_level`.
    public var code: String
    public var messageZH: String
    public var messageEN: String
    /// The form field the message belongs to, when there is one.
    public var field: String?

    public init(_ kind: Kind, code: String, zh: String, en: String, field: String? = nil) {
        self.kind = kind
        self.code = code
        self.messageZH = zh
        self.messageEN = en
        self.field = field
    }

    public func message(english: Bool) -> String { english ? messageEN : messageZH }
    public var description: String { "\(code): \(messageEN)" }

    public static func invalid(_ code: String, zh: String, en: String, field: String? = nil) -> AppError {
        AppError(.badRequest, code: code, zh: zh, en: en, field: field)
    }

    /// Used for anything outside the caller's scope as well as for things that do not exist,
    /// so that existence does not leak across townships or departments.
    public static func notFound(_ what: String = "resource") -> AppError {
        AppError(.notFound, code: "not_found", zh: "未找到该记录,或您无权查看。", en: "Not found, or not visible to you.")
    }

    public static func forbidden(zh: String = "您的角色无权执行此操作。", en: String = "Your role may not do this.") -> AppError {
        AppError(.forbidden, code: "forbidden", zh: zh, en: en)
    }

    public static func duplicate(_ field: String, value: String) -> AppError {
        AppError(.conflict, code: "duplicate", zh: "「\(value)」已存在,不能重复。", en: "\(value) already exists.", field: field)
    }
}
