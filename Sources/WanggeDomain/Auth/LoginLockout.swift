import Foundation

/// Five wrong passwords in a row lock an account for fifteen minutes: slow enough to stop guessing,
/// short enough that a grid worker who mistyped is back on patrol soon.
public struct LoginLockout: Sendable, Equatable {
    public static let maxFailures = 5
    public static let lockDuration: TimeInterval = 15 * 60

    public var failedAttempts: Int
    public var lockedUntil: Date?

    public init(failedAttempts: Int = 0, lockedUntil: Date? = nil) {
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
    }

    public func isLocked(at now: Date) -> Bool {
        if let lockedUntil { return lockedUntil > now }
        return false
    }

    public func afterFailure(at now: Date) -> LoginLockout {
        // An expired lock starts a fresh count.
        let previous = (lockedUntil.map { $0 <= now } ?? false) ? 0 : failedAttempts
        let count = previous + 1
        if count >= Self.maxFailures {
            return LoginLockout(failedAttempts: 0, lockedUntil: now.addingTimeInterval(Self.lockDuration))
        }
        return LoginLockout(failedAttempts: count, lockedUntil: nil)
    }

    public static let afterSuccess = LoginLockout()

    public static func lockedError(until: Date, now: Date) -> AppError {
        let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
        return AppError(.locked, code: "auth.locked",
                        zh: "密码错误次数过多,账号已锁定,请 \(minutes) 分钟后再试。",
                        en: "Too many wrong passwords; the account is locked for \(minutes) more minutes.")
    }
}
