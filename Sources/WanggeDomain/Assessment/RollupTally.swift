import Foundation

/// One event's tally with where and when it counts: what its rollup entries are made from
/// (`RollupKeys.entries`), kept as one line of text in the rollup journal until the entries are
/// added to the rollups (`RollupJournal`). A line is about a hundred bytes where the two dozen
/// entries it stands for are a few kilobytes.
public struct RollupTally: Sendable, Equatable {
    public var tally: EventTally
    public var placeCode: String
    public var categoryCode: String?
    public var channel: String
    /// `2026-11-23` and `2026-11`, worked out when the event happened (`RollupKeys.periods`), so a
    /// line counts in the same day whatever time zone reads it.
    public var day: String
    public var month: String
    public var workerUsername: String?
    public var workerOrgCode: String?

    public init(_ tally: EventTally, _ c: RollupKeys.Context) {
        self.tally = tally
        (placeCode, categoryCode, channel) = (c.placeCode, c.categoryCode, c.channel)
        (day, month) = RollupKeys.periods(c.at, timeZone: c.timeZone)
        (workerUsername, workerOrgCode) = (c.workerUsername, c.workerOrgCode)
    }

    /// The rollup entries of the event, as `RollupKeys.entries` makes them from its tally and context.
    public var entries: [RollupEntry] {
        let context = RollupKeys.Context(placeCode: placeCode, categoryCode: categoryCode, channel: channel, at: Date(timeIntervalSince1970: 0),
                                         timeZone: .gmt, workerUsername: workerUsername, workerOrgCode: workerOrgCode)
        return RollupKeys.entries(tally, context, day: day, month: month)
    }

    /// Tab-separated fields (a version first, the three counts as thirteen numbers each), with tabs,
    /// newlines and backslashes in the text fields escaped, so a line never holds a bare newline.
    /// Written as bytes: as arrays of fields joined, a report's tally line was 1.3% of the server's samples under full
    /// intake, 0.6% so.
    public var line: String {
        var line: [UInt8] = []
        line.reserveCapacity(200)
        appendLine(to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    /// The line's bytes, appended where a report's lines and its gauge join are written together (`RollupJournal.lines`):
    /// each of its 39 numbers was a `String` of its own, and the fields an array, 0.7% of the server's samples under full intake.
    public func appendLine(to line: inout [UInt8]) {
        line.append(UInt8(ascii: "1"))
        func text(_ field: String?) {
            line.append(UInt8(ascii: "\t"))
            line.append(contentsOf: Self.escaped(field ?? "").utf8)
        }
        text(placeCode)
        text(categoryCode)
        text(channel)
        text(day)
        text(month)
        text(workerUsername)
        text(workerOrgCode)
        text(tally.departmentCode)
        for counts in [tally.place, tally.department, tally.worker] {
            line.append(UInt8(ascii: "\t"))
            for (index, value) in counts.values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                if value >= 0 { line.appendDecimal(Int64(value)) } else { line.append(contentsOf: String(value).utf8) }
            }
        }
    }

    /// A line of the rollup journal that is neither a tally nor a gauge join (`GaugeState.journalLine`).
    public struct MalformedLine: Error, CustomStringConvertible {
        public let line: String
        public var description: String { "not a rollup journal line: \(line.prefix(200))" }

        public init(line: String) { self.line = line }
    }

    public init(line: Substring) throws {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 12, fields[0] == "1" else { throw MalformedLine(line: String(line)) }
        func text(_ index: Int) -> String { Self.unescaped(fields[index]) }
        func optional(_ index: Int) -> String? { fields[index].isEmpty ? nil : text(index) }
        func counts(_ index: Int) throws -> CaseCounts {
            let values = fields[index].split(separator: ",").compactMap { Int($0) }
            guard values.count == 13 else { throw MalformedLine(line: String(line)) }
            return CaseCounts(values: values)
        }
        tally = EventTally()
        (tally.place, tally.department, tally.worker) = (try counts(9), try counts(10), try counts(11))
        tally.departmentCode = optional(8)
        (placeCode, categoryCode, channel, day, month) = (text(1), optional(2), text(3), text(4), text(5))
        (workerUsername, workerOrgCode) = (optional(6), optional(7))
    }

    /// A text field as a journal line holds it: tabs, newlines and backslashes escaped.
    public static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C }) else { return text }
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    public static func unescaped(_ field: Substring) -> String {
        guard field.utf8.contains(0x5C) else { return String(field) }
        var out = ""
        var escaping = false
        for character in field.unicodeScalars {
            if escaping {
                switch character {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                default: out.unicodeScalars.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
