import Foundation
import Vapor
import WanggeDomain

/// Per-client-address limits on the doors open to anyone: anonymous intake, tracking lookups (query
/// codes must not be guessable by brute force) and sign-in; and per-client limits of Open311 keys.
/// Fixed one-minute windows, per instance. A lock, not an actor: every tracking lookup and anonymous
/// report passes here, and entering an actor and leaving it again is two task switches.
final class MinuteWindows<Key: Hashable & Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var windows: [Key: (minute: Int, count: Int)] = [:]
    private var lastSweep = 0

    func admit(_ key: Key, limit: Int, now: Date) -> Bool {
        let minute = Int(now.timeIntervalSince1970 / 60)
        return lock.withLock {
            if minute != lastSweep {
                // Forget finished windows so the table does not grow with every client ever seen.
                windows = windows.filter { $0.value.minute == minute }
                lastSweep = minute
            }
            var window = windows[key] ?? (minute, 0)
            if window.minute != minute { window = (minute, 0) }
            guard window.count < limit else { return false }
            window.count += 1
            windows[key] = window
            return true
        }
    }
}

typealias RateLimiter = MinuteWindows<String>

struct RateLimits: Sendable {
    var intakePerMinute = 20
    var trackPerMinute = 60
    var loginPerMinute = 20
    /// Trust `X-Forwarded-For` (behind a reverse proxy) for the client address.
    var trustProxy = false

    static func fromEnvironment() -> RateLimits {
        var limits = RateLimits()
        if let v = Environment.get("WANGGE_RATE_INTAKE").flatMap(Int.init), v > 0 { limits.intakePerMinute = v }
        if let v = Environment.get("WANGGE_RATE_TRACK").flatMap(Int.init), v > 0 { limits.trackPerMinute = v }
        if let v = Environment.get("WANGGE_RATE_LOGIN").flatMap(Int.init), v > 0 { limits.loginPerMinute = v }
        limits.trustProxy = Environment.get("WANGGE_TRUST_PROXY") == "1"
        return limits
    }
}

struct RateLimiterKey: StorageKey {
    typealias Value = RateLimiter
}

struct RateLimitsKey: StorageKey {
    typealias Value = RateLimits
}

extension Application {
    var rateLimiter: RateLimiter {
        stored(RateLimiterKey.self, orMake: RateLimiter())
    }

    var rateLimits: RateLimits {
        get { storage[RateLimitsKey.self] ?? RateLimits() }
        set { storage[RateLimitsKey.self] = newValue }
    }
}

extension Request {
    var clientAddress: String { clientAddress(trustingProxy: application.rateLimits.trustProxy) }

    func clientAddress(trustingProxy trustProxy: Bool) -> String {
        if trustProxy, let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    enum LimitedDoor: String { case intake, track, login }

    /// Throws 429 (with a Chinese message) when this address used up the door's allowance this minute.
    func enforceRateLimit(_ door: LimitedDoor) throws {
        let limits = application.rateLimits
        let limit = switch door {
        case .intake: limits.intakePerMinute
        case .track: limits.trackPerMinute
        case .login: limits.loginPerMinute
        }
        guard application.rateLimiter.admit("\(door.rawValue)|\(clientAddress(trustingProxy: limits.trustProxy))", limit: limit, now: now) else {
            throw AppError(.tooManyRequests, code: "rate_limited", zh: "操作过于频繁,请一分钟后再试。",
                           en: "Too many requests from your address; try again in a minute.")
        }
    }
}
