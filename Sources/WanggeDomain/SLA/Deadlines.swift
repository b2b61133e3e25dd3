import Foundation

/// Red / yellow / blue (红黄蓝): how much of the allowed time is gone.
public enum WarningLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case none, blue, yellow, red

    var rank: Int {
        switch self {
        case .none: 0
        case .blue: 1
        case .yellow: 2
        case .red: 3
        }
    }

    public static func < (a: WarningLevel, b: WarningLevel) -> Bool { a.rank < b.rank }

    /// The colour from the moments kept on a case's row (when its running clock turns blue and yellow,
    /// and when it is due), compared as the colour filters and the areas' counts compare them in SQL:
    /// no moment, no colour. It is the clock's own colour when red is at the deadline, once the kept
    /// moments follow the thresholds and holidays in force (`ThresholdTimesRefresh`).
    public static func stored(blue: Date?, yellow: Date?, due: Date?, at now: Date) -> WarningLevel {
        guard let due else { return .none }
        if due <= now { return .red }
        guard let yellow else { return .none }
        if yellow <= now { return .yellow }
        if let blue, blue <= now { return .blue }
        return .none
    }

    public var nameZH: String {
        switch self {
        case .none: "正常"
        case .blue: "蓝色预警"
        case .yellow: "黄色预警"
        case .red: "红色(超期)"
        }
    }
}

/// Thresholds as fractions of the allowed time (defaults 50% / 80% / 100%).
/// One set for the whole county: every instance of the server, every list and count must colour a case
/// alike, so an administrator's choice is kept in the database (`SLAAdminService.setThresholds`).
public struct WarningThresholds: Sendable, Equatable, Codable {
    public var blue: Double
    public var yellow: Double
    public var red: Double

    public init(blue: Double = 0.5, yellow: Double = 0.8, red: Double = 1.0) {
        self.blue = blue
        self.yellow = yellow
        self.red = red
    }

    /// Blue before yellow, yellow no later than red, and red at the deadline or before it: a case past
    /// its deadline is overdue, and an overdue case not shown red would hide it.
    public var isValid: Bool {
        0 < blue && blue < yellow && yellow <= red && red <= 1
    }

    public func level(_ fraction: Double) -> WarningLevel {
        if fraction >= red { return .red }
        if fraction >= yellow { return .yellow }
        if fraction >= blue { return .blue }
        return .none
    }
}

/// One clock: when it started, when it is due, when it was met.
public struct Deadline: Sendable, Codable, Equatable {
    public var startedAt: Date
    public var dueAt: Date
    public var metAt: Date?
    public var duration: SLADuration

    public init(startedAt: Date, dueAt: Date, metAt: Date? = nil, duration: SLADuration) {
        self.startedAt = startedAt
        self.dueAt = dueAt
        self.metAt = metAt
        self.duration = duration
    }

    public var met: Bool? { metAt.map { $0 <= dueAt } }

    /// The colour of this clock, running, at `now`: how much of its time has passed against the thresholds.
    public func warning(at now: Date, thresholds: WarningThresholds, calendar: WorkingCalendar) -> WarningLevel {
        thresholds.level(duration.elapsedFraction(start: startedAt, due: dueAt, now: now, calendar: calendar))
    }
}

/// The three clocks of a case and how each action moves them.
public struct CaseDeadlines: Sendable, Codable, Equatable {
    public var accept: Deadline?
    public var resolve: Deadline?
    public var reply: Deadline?

    public init(accept: Deadline? = nil, resolve: Deadline? = nil, reply: Deadline? = nil) {
        self.accept = accept
        self.resolve = resolve
        self.reply = reply
    }

    /// At intake the centre's response clock starts.
    public static func atIntake(_ now: Date, policy: SLAPolicy, calendar: WorkingCalendar) -> CaseDeadlines {
        CaseDeadlines(accept: Deadline(startedAt: now, dueAt: policy.accept.due(from: now, calendar: calendar), duration: policy.accept))
    }

    /// The clock belongs to whoever holds the case: a new holder gets a new response clock,
    /// registration starts the resolve clock, a result starts the reply clock.
    public func after(_ action: CaseAction, previous: CaseSnapshot, at now: Date,
                      policy: SLAPolicy, calendar: WorkingCalendar) -> CaseDeadlines {
        var d = self
        func startAccept() { d.accept = Deadline(startedAt: now, dueAt: policy.accept.due(from: now, calendar: calendar), duration: policy.accept) }
        func meetAccept() { if d.accept?.metAt == nil { d.accept?.metAt = now } }
        switch action {
        case .register:
            meetAccept()
            if d.resolve == nil {
                d.resolve = Deadline(startedAt: now, dueAt: policy.resolve.due(from: now, calendar: calendar), duration: policy.resolve)
            }
        case .reject, .merge:
            meetAccept()
        case .dispatch, .escalate, .pushDown, .reopen:
            startAccept()
            if action == .reopen {
                d.reply = nil
                d.resolve?.metAt = nil
            }
        case .returnCase:
            startAccept()
        case .accept:
            meetAccept()
        case .approveExtension:
            // 延期: the approved hours move the resolve deadline.
            if let hours = previous.requestedExtensionHours, hours > 0, var resolve = d.resolve {
                resolve.dueAt = resolve.dueAt.addingTimeInterval(TimeInterval(hours * 3600))
                d.resolve = resolve
            }
        case .submitResult, .resolveOnSpot:
            meetAccept()
            if d.resolve == nil {
                d.resolve = Deadline(startedAt: now, dueAt: now, duration: policy.resolve)
            }
            d.resolve?.metAt = now
            d.reply = Deadline(startedAt: now, dueAt: policy.reply.due(from: now, calendar: calendar), duration: policy.reply)
        case .verifyFail:
            d.resolve?.metAt = nil
            d.reply = nil
        case .evaluate, .returnVisit, .close:
            if d.reply?.metAt == nil { d.reply?.metAt = now }
        default:
            break
        }
        return d
    }

    /// The clock that is running now: the first one started and not yet met.
    public var running: Deadline? {
        // Without arrays: asked several times a step, by intake, transitions and the generator.
        var first: Deadline?
        func consider(_ clock: Deadline?) {
            guard let clock, clock.metAt == nil else { return }
            if first.map({ clock.dueAt < $0.dueAt }) ?? true { first = clock }
        }
        consider(accept)
        consider(resolve)
        consider(reply)
        return first
    }

    public func warning(at now: Date, thresholds: WarningThresholds, calendar: WorkingCalendar) -> WarningLevel {
        running?.warning(at: now, thresholds: thresholds, calendar: calendar) ?? .none
    }

    /// When the running clock runs out: the moment the case turns red.
    public var nextDue: Date? { running?.dueAt }

    /// When the running clock crosses a threshold (blue, yellow), so lists can filter by colour with
    /// a plain time comparison instead of recomputing every case.
    public func thresholdTimes(_ thresholds: WarningThresholds, calendar: WorkingCalendar) -> (blue: Date, yellow: Date)? {
        guard let clock = running else { return nil }
        func at(_ fraction: Double) -> Date {
            switch clock.duration {
            case .minutes:
                return clock.startedAt.addingTimeInterval(clock.dueAt.timeIntervalSince(clock.startedAt) * fraction)
            case .workingDays:
                let total = calendar.workingSeconds(from: clock.startedAt, to: clock.dueAt)
                return calendar.adding(workingSeconds: total * fraction, to: clock.startedAt)
            }
        }
        return (at(thresholds.blue), at(thresholds.yellow))
    }
}
