public enum PasswordPolicy {
    public static let minimumLength = 8
    /// bcrypt only reads the first 72 bytes; a longer password would silently be truncated.
    public static let maximumBytes = 72

    public static func validate(_ password: String, username: String? = nil, field: String = "password") throws {
        if password.count < minimumLength {
            throw AppError.invalid("password.weak", zh: "密码至少需要 \(minimumLength) 个字符。",
                                   en: "The password needs at least \(minimumLength) characters.", field: field)
        }
        if password.utf8.count > maximumBytes {
            throw AppError.invalid("password.long", zh: "密码过长(最多 \(maximumBytes) 字节)。",
                                   en: "The password is too long (at most \(maximumBytes) bytes).", field: field)
        }
        if let username, password.lowercased() == username.lowercased() {
            throw AppError.invalid("password.username", zh: "密码不能与用户名相同。",
                                   en: "The password may not equal the username.", field: field)
        }
    }
}

public enum UsernamePolicy {
    public static func validate(_ username: String) throws {
        let ok = (2...32).contains(username.count)
            && username.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" || $0 == "." }
        guard ok else {
            throw AppError.invalid("user.username", zh: "用户名为 2–32 位字母、数字、点、横线或下划线。",
                                   en: "A username has 2–32 letters, digits, dots, dashes or underscores.", field: "username")
        }
    }
}
