import XCTest

@testable import WanggeDomain

/// A report's tallies wait in the rollup journal as lines of text; the fold makes their entries from the lines.
final class RollupTallyTests: XCTestCase {
    private let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    private func tally(place: Int, department: Int, worker: Int, departmentCode: String?) -> EventTally {
        var tally = EventTally()
        tally.place.received = place
        tally.place.closedOnTime = place * 2
        tally.department.dispatched = department
        tally.worker.received = worker
        tally.departmentCode = departmentCode
        return tally
    }

    func testALineGivesTheEntriesItsTallyAndContextGive() throws {
        // 00:30 on 1 December in Shanghai, still 30 November in UTC: the line keeps Shanghai's day and month.
        let at = Date(timeIntervalSince1970: 1_796_056_200)
        let contexts = [
            RollupKeys.Context(placeCode: "330110001001-01", categoryCode: "0101", channel: "citizen", at: at, timeZone: shanghai),
            RollupKeys.Context(placeCode: "330110002", categoryCode: nil, channel: "hotline", at: at, timeZone: shanghai),
            RollupKeys.Context(placeCode: "330110001001-02", categoryCode: "0201", channel: "patrol", at: at, timeZone: shanghai,
                               workerUsername: "grid\t7\\x\n", workerOrgCode: "330110001001-02"),
        ]
        for (index, context) in contexts.enumerated() {
            let tally = tally(place: index + 1, department: index, worker: index == 2 ? 1 : 0, departmentCode: index == 0 ? nil : "330110-CG")
            let kept = RollupTally(tally, context)
            XCTAssertEqual(kept.day, "2026-12-01")
            XCTAssertEqual(kept.month, "2026-12")
            XCTAssertFalse(kept.line.contains("\n"), "a line holds no bare newline: \(kept.line)")
            let read = try RollupTally(line: Substring(kept.line))
            XCTAssertEqual(read, kept)
            let expected = RollupKeys.entries(tally, context)
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(read.entries, expected, "context \(index)")
        }
        XCTAssertEqual(RollupTally(tally(place: 1, department: 0, worker: 0, departmentCode: nil),
                                   RollupKeys.Context(placeCode: "330110", categoryCode: nil, channel: "citizen", at: at, timeZone: .gmt)).day,
                       "2026-11-30", "the zone is the one the line was made in")
    }

    /// The line is written byte by byte (`appendLine`): the same text as its fields and numbers joined, for numbers
    /// of any size and sign, and it reads back.
    func testALineIsItsFieldsAndNumbersJoinedWhateverTheNumbers() throws {
        var tally = EventTally()
        tally.place = CaseCounts(values: [0, 1, 9, 10, 99, 100, 12_345, 1_000_000, -1, -27, Int(Int32.max), 0, 3])
        tally.department = CaseCounts(values: (0..<13).map { $0 * 37 - 200 })
        tally.worker = CaseCounts(values: (0..<13).map { Int.max - $0 })
        tally.departmentCode = "330110-CG"
        let kept = RollupTally(tally, RollupKeys.Context(placeCode: "330110001001-01", categoryCode: "01\t01", channel: "citizen",
                                                         at: Date(), timeZone: shanghai, workerUsername: "grid1", workerOrgCode: nil))
        let fields = [kept.placeCode, kept.categoryCode ?? "", kept.channel, kept.day, kept.month, kept.workerUsername ?? "",
                      kept.workerOrgCode ?? "", tally.departmentCode ?? ""].map(RollupTally.escaped)
        let numbers = [tally.place, tally.department, tally.worker].map { $0.values.map(String.init).joined(separator: ",") }
        XCTAssertEqual(kept.line, (["1"] + fields + numbers).joined(separator: "\t"))
        XCTAssertEqual(try RollupTally(line: Substring(kept.line)), kept)
    }

    func testAMalformedLineIsRefused() {
        let good = RollupTally(EventTally(), RollupKeys.Context(placeCode: "330110", categoryCode: nil, channel: "citizen",
                                                                at: Date(), timeZone: shanghai)).line
        for bad in ["", "2\t" + good.dropFirst(2), String(good.dropLast(2)), good + "\tmore", good.replacingOccurrences(of: "0,0", with: "0,x")] {
            XCTAssertThrowsError(try RollupTally(line: Substring(bad)), bad)
        }
    }
}
