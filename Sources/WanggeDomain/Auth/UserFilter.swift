/// What an administrator asks of the list of people: a role, a unit (those placed in it or below it),
/// some text of a username, name or phone, and one page in username order after a cursor. A county
/// has a thousand grid workers and a city tens of thousands, so the list is paged and searched, never
/// shown whole.
public struct UserFilter: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maxLimit = 200
    /// Longer text is no name, username or phone anyone types.
    public static let maxTextLength = 50

    public var role: Role?
    public var unitCode: String?
    /// Trimmed; nil when empty.
    public var text: String?
    /// The last username of the page before.
    public var after: String?
    public var limit = defaultLimit

    public init(role: Role? = nil, unitCode: String? = nil, text: String? = nil, after: String? = nil, limit: Int = defaultLimit) {
        (self.role, self.unitCode, self.text, self.after, self.limit) = (role, unitCode, text, after, limit)
    }

    /// The filter from a request's query values (a form's or the API's), each optional; empty values
    /// count as absent, since a form sends its unchosen fields empty.
    public static func parse(role: String?, unit: String?, text: String?, after: String?, limit: String?) throws -> UserFilter {
        func given(_ value: String?) -> String? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
            return trimmed
        }
        var filter = UserFilter(role: try given(role).map(Role.parse), after: given(after))
        if let unit = given(unit) {
            guard OrgCode.level(of: unit) != nil else {
                throw AppError.invalid("users.unit", zh: "单位编码「\(unit)」格式不对。", en: "\(unit) is not an org unit code.", field: "within")
            }
            filter.unitCode = unit
        }
        if let text = given(text) {
            guard text.count <= maxTextLength else {
                throw AppError.invalid("users.text", zh: "搜索内容最多 \(maxTextLength) 个字。", en: "Search text is at most \(maxTextLength) characters.",
                                       field: "q")
            }
            // PostgreSQL takes no NUL in a text value, and no one types a control character.
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw AppError.invalid("users.text", zh: "搜索内容含有控制字符。", en: "Search text has a control character.", field: "q")
            }
            filter.text = text
        }
        if let limit = given(limit) { filter.limit = try PageLimit.parse(limit, max: maxLimit) }
        return filter
    }

    /// `text` as a LIKE pattern that matches it anywhere, in lower case, with its own `%`, `_` and `\`
    /// escaped by `\`: a search for "50%" finds "50%", not every name with "50" in it.
    public var likePattern: String? {
        guard let text else { return nil }
        var pattern = "%"
        for character in text.lowercased() {
            if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }
}
