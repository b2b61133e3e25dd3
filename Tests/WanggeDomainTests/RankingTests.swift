import XCTest
@testable import WanggeDomain

final class RankingTests: XCTestCase {
    private func entry(_ code: String, registered: Int = 0, closed: Int = 0, overdue: Int = 0) -> RankingEntry {
        var c = CaseCounts()
        c.registered = registered; c.closed = closed; c.overdue = overdue
        return RankingEntry(code: code, name: "单位\(code)", counts: c)
    }

    func testBestFirstWithTiesNilAndLowVolumeLast() {
        let entries = [
            entry("e", registered: 0),                // no value → last
            entry("a", registered: 10, closed: 9),    // 0.9, volume 10
            entry("g", registered: 10, closed: 5),    // 0.5
            entry("f", registered: 2, closed: 2),     // 1.0 but below the minimum volume of 3
            entry("c", registered: 10, closed: 9),    // 0.9, volume 10: after "a" by code
            entry("b", registered: 20, closed: 18),   // 0.9, volume 20: before "a" and "c"
            entry("d", registered: 5, closed: 5),     // 1.0 → first
        ]
        let rows = Ranking.rank(entries, by: .resolution, minimumVolume: 3)
        XCTAssertEqual(rows.map(\.code), ["d", "b", "a", "c", "g", "f", "e"])
        XCTAssertEqual(rows.map(\.position), Array(1...7))
        XCTAssertEqual(rows.map(\.isRanked), [true, true, true, true, true, false, false])
        XCTAssertEqual(rows.map(\.volume), [5, 20, 10, 10, 10, 2, 0])
        XCTAssertEqual(rows[5].value, 1.0, "a low-volume row keeps its value for display")
        XCTAssertNil(rows[6].value)
        XCTAssertEqual(rows[0].name, "单位d")
        XCTAssertEqual(rows[1].counts.closed, 18)

        // With the default minimum of 1, the small unit ranks on its value (tie with d at 1.0, smaller volume).
        XCTAssertEqual(Ranking.rank(entries, by: .resolution).map(\.code), ["d", "f", "b", "a", "c", "g", "e"])
    }

    /// Many units with many ties, for every rate: the order is the rules' order, stated here as one sort of the units
    /// themselves: ranked first, then those with a value, then those without; by value (rounded to 1e-9), the larger
    /// volume, the code, the name. Two units may share a code (names break the tie).
    func testOrderIsTheRulesOrderForManyUnits() {
        var generator = SystemRandomNumberGenerator()
        for rate in Rate.allCases {
            let entries = (0..<600).map { n -> RankingEntry in
                var c = CaseCounts()
                c.registered = Int.random(in: 0...6, using: &generator); c.closed = Int.random(in: 0...c.registered, using: &generator)
                c.closedOnTime = Int.random(in: 0...c.closed, using: &generator); c.respondedInTime = Int.random(in: 0...c.registered, using: &generator)
                c.overdue = Int.random(in: 0...c.registered, using: &generator); c.dispatched = Int.random(in: 0...c.registered, using: &generator)
                c.returned = Int.random(in: 0...c.dispatched, using: &generator); c.reworked = Int.random(in: 0...c.dispatched, using: &generator)
                c.satisfied = Int.random(in: 0...2, using: &generator); c.basicallySatisfied = Int.random(in: 0...2, using: &generator)
                c.unsatisfied = Int.random(in: 0...2, using: &generator)
                return RankingEntry(code: "g\(Int.random(in: 0..<400, using: &generator))", name: "网格\(n)", counts: c)
            }
            let expected = entries.map { e -> (entry: RankingEntry, value: Double?, volume: Int, ranked: Bool) in
                let value = rate.value(e.counts, basicallySatisfiedWeight: 0.8)
                let volume = rate.denominator(e.counts)
                return (e, value, volume, value.map(\.isFinite) == true && volume >= 2)
            }.sorted { a, b in
                let group = { (x: (entry: RankingEntry, value: Double?, volume: Int, ranked: Bool)) in x.ranked ? 0 : x.value != nil ? 1 : 2 }
                if group(a) != group(b) { return group(a) < group(b) }
                let sign = rate.higherIsBetter ? -1.0 : 1.0
                let x = ((a.value ?? 0).isFinite ? a.value ?? 0 : 0) * 1e9, y = ((b.value ?? 0).isFinite ? b.value ?? 0 : 0) * 1e9
                if x.rounded() != y.rounded() { return sign * x.rounded() < sign * y.rounded() }
                if a.volume != b.volume { return a.volume > b.volume }
                return (a.entry.code, a.entry.name) < (b.entry.code, b.entry.name)
            }
            let rows = Ranking.rank(entries, by: rate, minimumVolume: 2)
            XCTAssertEqual(rows.map { $0.code + "/" + $0.name }, expected.map { $0.entry.code + "/" + $0.entry.name }, rate.rawValue)
            XCTAssertEqual(rows.map(\.isRanked), expected.map(\.ranked), rate.rawValue)
            XCTAssertEqual(rows.map(\.volume), expected.map(\.volume), rate.rawValue)
            XCTAssertEqual(rows.map(\.counts), expected.map(\.entry.counts), rate.rawValue)
            XCTAssertEqual(rows.map { $0.value.map { String($0) } ?? "-" }, expected.map { $0.value.map { String($0) } ?? "-" }, rate.rawValue)
            XCTAssertEqual(rows.map(\.position), Array(1...600))
        }
    }

    func testLowerIsBetterRatesRankAscending() {
        let entries = [
            entry("p", registered: 10, overdue: 1),
            entry("q", registered: 10, overdue: 3),
            entry("r", registered: 10, overdue: 0),
            entry("s"),
        ]
        let rows = Ranking.rank(entries, by: .overdueRate)
        XCTAssertEqual(rows.map(\.code), ["r", "p", "q", "s"])
        XCTAssertEqual(rows.map(\.value), [0.0, 0.1, 0.3, nil])
    }

    func testEqualRatesDifferingInTheLastBitAreATie() {
        // (0.7 × 3) / 3 = 0.6999999999999998 in binary, 0.7 × 1 / 1 = 0.7; on paper both are 70%,
        // so the larger volume must win, not the rounding error.
        var x = CaseCounts(); x.basicallySatisfied = 3
        var y = CaseCounts(); y.basicallySatisfied = 1
        let rows = Ranking.rank([RankingEntry(code: "y", name: "Y", counts: y), RankingEntry(code: "x", name: "X", counts: x)],
                                by: .satisfaction, basicallySatisfiedWeight: 0.7)
        XCTAssertEqual(rows.map(\.code), ["x", "y"])
        XCTAssertEqual(rows.map(\.volume), [3, 1])
    }

    func testDenominatorMatchesEachRate() {
        var c = CaseCounts()
        c.registered = 11; c.closed = 7; c.dispatched = 5; c.satisfied = 2; c.basicallySatisfied = 1; c.unsatisfied = 1
        let expected: [Rate: Int] = [.response: 11, .resolution: 11, .onTime: 7, .satisfaction: 4,
                                     .rework: 5, .returnRate: 5, .overdueRate: 11]
        for rate in Rate.allCases { XCTAssertEqual(rate.denominator(c), expected[rate], "\(rate)") }
        // A rate is nil exactly when its denominator is 0.
        for rate in Rate.allCases { XCTAssertEqual(rate.value(CaseCounts()) == nil, rate.denominator(CaseCounts()) == 0) }
    }

    func testRedAndBlackListsNeverOverlap() {
        let entries = (1...5).map { i in entry("u\(i)", registered: 10, closed: 10 - i) } + [entry("none")]
        let rows = Ranking.rank(entries, by: .resolution)
        let (red, black) = Ranking.redBlack(rows, n: 2)
        XCTAssertEqual(red.map(\.code), ["u1", "u2"])
        XCTAssertEqual(black.map(\.code), ["u5", "u4"], "worst first, the unit with no value is not blamed")

        let three = Ranking.rank(Array(entries.prefix(3)), by: .resolution)
        let split = Ranking.redBlack(three, n: 2)
        XCTAssertEqual(split.red.map(\.code), ["u1", "u2"])
        XCTAssertEqual(split.black.map(\.code), ["u3"])

        let one = Ranking.redBlack(Ranking.rank([entries[0]], by: .resolution), n: 3)
        XCTAssertEqual(one.red.map(\.code), ["u1"])
        XCTAssertTrue(one.black.isEmpty)
        XCTAssertTrue(Ranking.redBlack(rows, n: 0).red.isEmpty)

        // Units below the minimum volume are on neither list.
        let strict = Ranking.rank(entries, by: .resolution, minimumVolume: 11)
        XCTAssertTrue(Ranking.redBlack(strict, n: 2).red.isEmpty)
        XCTAssertTrue(Ranking.redBlack(strict, n: 2).black.isEmpty)
    }
}

final class CountFieldTests: XCTestCase {
    func testEachFieldReadsItsOwnCounter() {
        // Distinct values in declaration order, so a field reading the wrong counter is caught.
        let c = CaseCounts(values: Array(101...113))
        XCTAssertEqual(CountField.allCases.map { $0.value(in: c) }, c.values)
        XCTAssertEqual(CountField.respondedInTime.rawValue, "responded_in_time")
        XCTAssertEqual(CountField.basicallySatisfied.rawValue, "basically_satisfied")
        XCTAssertEqual(CountField(rawValue: "closed_on_time"), .closedOnTime)
        XCTAssertEqual(CountField.overdue.nameZH, "超期数")
        XCTAssertEqual(Set(CountField.allCases.map(\.nameZH)).count, 13)
    }
}
