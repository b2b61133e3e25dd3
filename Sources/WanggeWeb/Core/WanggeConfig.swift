import Foundation
import Vapor
import WanggeDomain

/// Everything configurable, read once at start from the environment and the command line.
public struct WanggeConfig: Sendable {
    /// Time zone for case codes and (later) working days.
    public var timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!
    /// Where the SQLite file and the photo store live.
    public var dataDirectory: String
    /// `postgres://…` switches every command to PostgreSQL.
    public var databaseURL: String?
    public var bcryptCost: Int
    /// Set `Secure` on cookies; turn on behind HTTPS.
    public var secureCookies: Bool
    public var sessionLifetime: TimeInterval
    /// Warning thresholds as fractions of the allowed time (blue / yellow / red): the default until an
    /// administrator sets the county's own, which every instance then follows.
    public var warningThresholds = WarningThresholds()
    /// How often the deadline sweep runs (0 turns it off), and how long a case stays red before it is escalated.
    public var sweepInterval: TimeInterval = 60
    public var escalateAfter: TimeInterval = 24 * 3600
    /// How often reports' queued search terms are indexed in one batch (`CaseSearchTerms`); search
    /// finds a case at once either way.
    public var searchIndexInterval: TimeInterval = 0.25
    /// How often reports' rollup entries are added from the rollup journal in one batch (`RollupJournal`);
    /// the leader's pages and rankings count every report either way. A fold writes one row per key its reports
    /// share (a grid's day, a township's month): under full intake a fold of a second's reports wrote about as many
    /// rows as one of a quarter second's, so it writes a third as many a report (PostgreSQL intake 1,836 → 2,115
    /// reports a second; on SQLite, whose fold holds the one writer, the same rate and tail: BENCHMARKS.md).
    public var rollupFoldInterval: TimeInterval = 1
    public var tokenLifetime: TimeInterval

    public init(dataDirectory: String = "./data", databaseURL: String? = nil, bcryptCost: Int = 12,
                secureCookies: Bool = false, sessionLifetime: TimeInterval = 12 * 3600, tokenLifetime: TimeInterval = 30 * 24 * 3600) {
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.bcryptCost = bcryptCost
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.tokenLifetime = tokenLifetime
    }

    /// Reads `WANGGE_*` and `DATABASE_URL`, then lets `--data-dir` on the command line win.
    public static func fromEnvironment(arguments: [String]) -> WanggeConfig {
        var config = WanggeConfig()
        if let dir = Environment.get("WANGGE_DATA_DIR"), !dir.isEmpty { config.dataDirectory = dir }
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty { config.databaseURL = url }
        if let cost = Environment.get("WANGGE_BCRYPT_COST").flatMap(Int.init), (4...31).contains(cost) { config.bcryptCost = cost }
        if let secure = Environment.get("WANGGE_SECURE_COOKIES") { config.secureCookies = ["1", "true", "yes"].contains(secure.lowercased()) }
        if let hours = Environment.get("WANGGE_SESSION_HOURS").flatMap(Double.init), hours > 0 { config.sessionLifetime = hours * 3600 }
        if let seconds = Environment.get("WANGGE_SWEEP_SECONDS").flatMap(Double.init), seconds >= 0 { config.sweepInterval = seconds }
        if let seconds = Environment.get("WANGGE_SEARCH_INDEX_SECONDS").flatMap(Double.init), seconds > 0 { config.searchIndexInterval = seconds }
        if let seconds = Environment.get("WANGGE_ROLLUP_FOLD_SECONDS").flatMap(Double.init), seconds > 0 { config.rollupFoldInterval = seconds }
        if let hours = Environment.get("WANGGE_ESCALATE_AFTER_HOURS").flatMap(Double.init), hours >= 0 { config.escalateAfter = hours * 3600 }
        if let raw = Environment.get("WANGGE_WARNING_THRESHOLDS") {
            let parts = raw.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            if parts.count == 3, case let thresholds = WarningThresholds(blue: parts[0], yellow: parts[1], red: parts[2]), thresholds.isValid {
                config.warningThresholds = thresholds
            }
        }
        if let zone = Environment.get("WANGGE_TIME_ZONE").flatMap(TimeZone.init(identifier:)) { config.timeZone = zone }
        if let dir = optionValue("--data-dir", in: arguments) { config.dataDirectory = dir }
        return config
    }

    static func optionValue(_ name: String, in arguments: [String]) -> String? {
        for (i, argument) in arguments.enumerated() {
            if argument == name, i + 1 < arguments.count { return arguments[i + 1] }
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        }
        return nil
    }

    public var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("wangge.sqlite") }
}

struct WanggeConfigKey: StorageKey {
    typealias Value = WanggeConfig
}

/// The clock every rule reads. Tests replace it to set "now"; nothing in Wangge sleeps to wait for time.
public struct WanggeClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = WanggeClock { Date() }
}

struct WanggeClockKey: StorageKey {
    typealias Value = WanggeClock
}

extension Application {
    public var wanggeConfig: WanggeConfig {
        get { storage[WanggeConfigKey.self] ?? WanggeConfig() }
        set { storage[WanggeConfigKey.self] = newValue }
    }

    public var clock: WanggeClock {
        get { storage[WanggeClockKey.self] ?? .system }
        set { storage[WanggeClockKey.self] = newValue }
    }
}

struct RequestMomentKey: StorageKey {
    typealias Value = Date
}

extension Request {
    /// The request's moment: the application's clock read at the first use and kept for the rest of the
    /// request, so everything one answer says about time (a list's colours, a page's counts and its map, a
    /// banner and the deadlines below it) is said of one instant. Read anew at each use, a page of thousands
    /// of markers could straddle a threshold, and the overdue figure disagree with the red dots.
    var now: Date { stored(RequestMomentKey.self, orMake: application.clock.now()) }
}
