import Foundation

/// One year of China's public holidays and make-up working days (调休), as the State Council
/// publishes them each autumn.
public struct HolidayYear: Sendable, Codable, Equatable {
    public var year: Int
    public var source: String?
    /// Days off, `yyyy-MM-dd`.
    public var holidays: [String]
    /// Weekend days that are working days, `yyyy-MM-dd`.
    public var workdays: [String]

    public init(year: Int, source: String? = nil, holidays: [String], workdays: [String]) {
        self.year = year
        self.source = source
        self.holidays = holidays
        self.workdays = workdays
    }

    /// The schedules shipped with Wangge (2025 and 2026).
    public static let shipped: [HolidayYear] = {
        // Foundation on Linux may report the resource URL with or without the bundle's own folder.
        let bases = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
        let folders = bases.flatMap { [$0.appendingPathComponent("Resources/holidays"), $0.appendingPathComponent("holidays")] }
        guard let folder = folders.first(where: { FileManager.default.fileExists(atPath: $0.path) }),
              let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { $0.pathExtension == "json" }
            .compactMap { try? JSONDecoder().decode(HolidayYear.self, from: Data(contentsOf: $0)) }
            .sorted { $0.year < $1.year }
    }()

    public static func parse(_ data: Data) throws -> HolidayYear {
        let year: HolidayYear
        do {
            year = try JSONDecoder().decode(HolidayYear.self, from: data)
        } catch {
            throw AppError.invalid("calendar.json", zh: "节假日数据格式不正确,应为 {\"year\", \"holidays\", \"workdays\"}。",
                                   en: "Holiday data must be {\"year\", \"holidays\", \"workdays\"}.")
        }
        for day in year.holidays + year.workdays {
            guard let parsed = WorkingCalendar.day(day), parsed.year == year.year else {
                throw AppError.invalid("calendar.day", zh: "日期「\(day)」无效或不属于 \(year.year) 年。",
                                       en: "\(day) is not a valid date of \(year.year).")
            }
        }
        if let both = Set(year.holidays).intersection(year.workdays).first {
            throw AppError.invalid("calendar.conflict", zh: "\(both) 不能既是假日又是调休上班日。", en: "\(both) is both a holiday and a workday.")
        }
        return year
    }
}

/// Working days and hours in a time zone: weekends off, public holidays off, make-up days on.
/// Deadline arithmetic in natural hours and in working days lives here.
public struct WorkingCalendar: Sendable {
    public let timeZone: TimeZone
    /// Working hours as minutes after midnight, e.g. 08:30–17:30.
    public var dayStart: Int
    public var dayEnd: Int
    let holidays: Set<String>
    let workdays: Set<String>
    let calendar: Calendar
    /// Shared by copies of this calendar, so each year's days are worked out once.
    private let days: LocalDayTable

    public init(timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!, years: [HolidayYear] = HolidayYear.shipped,
                dayStart: Int = 8 * 60 + 30, dayEnd: Int = 17 * 60 + 30) {
        self.timeZone = timeZone
        self.dayStart = dayStart
        self.dayEnd = dayEnd
        holidays = Set(years.flatMap(\.holidays))
        workdays = Set(years.flatMap(\.workdays))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        let (holidays, workdays, rules) = (self.holidays, self.workdays, calendar)
        days = LocalDayTable(calendar: calendar) { date in
            Self.isWorkingDay(date, calendar: rules, holidays: holidays, workdays: workdays)
        }
    }

    struct Day: Hashable {
        var year: Int
        var month: Int
        var day: Int
        var key: String { String(format: "%04d-%02d-%02d", year, month, day) }
    }

    static func day(_ text: String) -> Day? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        components.calendar = Calendar(identifier: .gregorian)
        guard components.isValidDate else { return nil }
        return Day(year: parts[0], month: parts[1], day: parts[2])
    }

    public func isWorkingDay(_ date: Date) -> Bool { days.day(containing: date).working }

    /// Everything that decides which moments are working time, as one text: two calendars with the
    /// same basis count every span alike, and a changed basis means times worked out with the old
    /// one may be wrong.
    public var basis: String {
        "\(timeZone.identifier) \(dayStart)-\(dayEnd) off:\(holidays.sorted().joined(separator: ",")) on:\(workdays.sorted().joined(separator: ","))"
    }

    /// The rule itself: make-up days on, holidays off, otherwise weekends off.
    private static func isWorkingDay(_ date: Date, calendar: Calendar, holidays: Set<String>, workdays: Set<String>) -> Bool {
        let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let key = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        if workdays.contains(key) { return true }
        if holidays.contains(key) { return false }
        return c.weekday != 1 && c.weekday != 7 // 1 = Sunday, 7 = Saturday
    }

    func startOfDay(_ date: Date) -> Date { days.day(containing: date).start }

    func at(_ minutes: Int, on day: Date) -> Date { startOfDay(day).addingTimeInterval(TimeInterval(minutes * 60)) }

    func minutesIntoDay(_ date: Date) -> Double { date.timeIntervalSince(startOfDay(date)) / 60 }

    func nextDay(_ date: Date) -> Date { days.day(containing: date).next }

    /// The first working moment at or after `date`.
    public func nextWorkingMoment(_ date: Date) -> Date {
        var day = date
        if isWorkingDay(day) {
            let minutes = minutesIntoDay(day)
            if minutes < Double(dayStart) { return at(dayStart, on: day) }
            if minutes < Double(dayEnd) { return day }
        }
        for _ in 0..<400 {
            day = nextDay(day)
            if isWorkingDay(day) { return at(dayStart, on: day) }
        }
        return date
    }

    /// `n` working days after `start`, at the same time of day: a report on Friday at 16:00 with
    /// 3 working days is due on Wednesday at 16:00; one made on Saturday starts counting on Monday
    /// morning.
    public func adding(workingDays n: Int, to start: Date) -> Date {
        let begin = nextWorkingMoment(start)
        let offset = begin.timeIntervalSince(startOfDay(begin))
        var day = begin
        var left = n
        var guardrail = 0
        while left > 0, guardrail < 2000 {
            day = nextDay(day)
            if isWorkingDay(day) { left -= 1 }
            guardrail += 1
        }
        return startOfDay(day).addingTimeInterval(offset)
    }

    public func adding(hours: Double, to start: Date) -> Date {
        start.addingTimeInterval(hours * 3600)
    }

    /// The instant when `seconds` of working time have passed after `start`.
    public func adding(workingSeconds seconds: TimeInterval, to start: Date) -> Date {
        var left = seconds
        var moment = nextWorkingMoment(start)
        var guardrail = 0
        while guardrail < 4000 {
            let close = at(dayEnd, on: moment)
            let available = close.timeIntervalSince(moment)
            if left <= available { return moment.addingTimeInterval(left) }
            left -= available
            moment = nextWorkingMoment(close)
            guardrail += 1
        }
        return moment
    }

    /// Seconds of working time between two instants.
    public func workingSeconds(from start: Date, to end: Date) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        var day = startOfDay(start)
        var guardrail = 0
        while day < end, guardrail < 4000 {
            if isWorkingDay(day) {
                let open = max(start, at(dayStart, on: day))
                let close = min(end, at(dayEnd, on: day))
                if close > open { total += close.timeIntervalSince(open) }
            }
            day = nextDay(day)
            guardrail += 1
        }
        return total
    }
}
