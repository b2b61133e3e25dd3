import XCTest

@testable import WanggeDomain

/// A group of reports written together merges all their rollup entries into one upsert; PostgreSQL
/// refuses to touch a row twice in it, and rows must come in one order to avoid deadlocks.
final class RollupMergeTests: XCTestCase {
    func testMergedSumsEqualKeysAndSortsEveryKeyOnce() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let entries: [RollupEntry] = (0..<Int.random(in: 0...200, using: &generator)).map { _ in
                var counts = CaseCounts()
                counts.received = Int.random(in: 0...3, using: &generator)
                counts.closed = Int.random(in: 0...3, using: &generator)
                let key = RollupKey([.org, .department, .worker].randomElement(using: &generator)!,
                                    ["330110", "330110001", "330110-CG", "grid1"].randomElement(using: &generator)!,
                                    [.day, .month].randomElement(using: &generator)!,
                                    ["2026-11", "2026-11-23", "2026-12-01"].randomElement(using: &generator)!,
                                    categoryCode: ["", "0101", "-"].randomElement(using: &generator)!,
                                    channel: ["", "citizen", "hotline"].randomElement(using: &generator)!)
                return RollupEntry(key: key, unitLevel: "x", area: OrgAncestry(), counts: counts)
            }
            let merged = RollupKeys.merged(entries)
            // The reference: sum by key in a dictionary.
            var expected: [RollupKey: CaseCounts] = [:]
            for entry in entries { expected[entry.key] = (expected[entry.key] ?? CaseCounts()) + entry.counts }
            XCTAssertEqual(merged.count, expected.count, "each key once")
            for entry in merged { XCTAssertEqual(entry.counts, expected[entry.key]) }
            XCTAssertEqual(merged.map(\.key), merged.map(\.key).sorted(), "in key order")
            for (a, b) in zip(merged, merged.dropFirst()) { XCTAssertTrue(a.key < b.key && !(b.key < a.key)) }

            // The same entries as a group's reports hand them over, each report's list merged
            // alone: merging the lists gives the same rows as merging everything at once.
            var runs: [[RollupEntry]] = []
            var rest = entries[...]
            while !rest.isEmpty {
                let length = Int.random(in: 1...30, using: &generator)
                runs.append(RollupKeys.merged(Array(rest.prefix(length))))
                rest = rest.dropFirst(length)
            }
            XCTAssertEqual(RollupKeys.merged(runs: runs), merged, "\(runs.count) lists")
        }
        XCTAssertEqual(RollupKeys.merged(runs: []), [])
        XCTAssertEqual(RollupKeys.merged(runs: [[], []]), [])
    }

    /// Keys order field by field by their UTF-8 bytes (SQLite's order for text): short and long strings,
    /// prefixes of each other, Chinese and accented text, equal ones.
    func testKeysOrderByTheirBytes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["", "0", "1", "a", "ab", "330110", "330110001001-01", "网格", "网", "é", "e\u{301}", "~", "\u{7F}", "z"]
        func text() -> String {
            (0..<Int.random(in: 0...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        func bytes(_ a: String, _ b: String) -> ComparisonResult {
            let (x, y) = (Array(a.utf8), Array(b.utf8))
            return x == y ? .orderedSame : (x.lexicographicallyPrecedes(y) ? .orderedAscending : .orderedDescending)
        }
        for _ in 0..<5_000 {
            let (a, b) = (text(), text())
            XCTAssertEqual(RollupKey.order(a, b), bytes(a, b), "\(Array(a.utf8)) against \(Array(b.utf8))")
            let (c, d) = (text(), text())
            let (p, q) = (RollupKey(.org, a, .day, c, categoryCode: b, channel: d), RollupKey(.org, a, .day, c, categoryCode: d, channel: b))
            let expected = bytes(b, d) != .orderedSame ? bytes(b, d) : bytes(d, b)
            XCTAssertEqual(RollupKey.order(p, q), expected)
            XCTAssertEqual(p < q, expected == .orderedAscending)
            XCTAssertEqual(RollupKey.order(p, p), .orderedSame)
        }
    }

    /// The fold sorts keys as one run of bytes each (`RollupKeys.JoinedKeys`): the order is `RollupKey.<`'s, also
    /// for fields that are empty, Chinese or prefixes of each other; a field holding a NUL takes the order field by field.
    func testJoinedKeysOrderAsTheKeysDo() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["", "0", "1", "a", "ab", "330110", "330110001001-01", "网格", "网", "é", "~", "\u{7F}", "\u{1}", "z"]
        func text() -> String {
            (0..<Int.random(in: 0...3, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        func entry(_ unit: String, _ period: String = "2026-11", category: String = "", channel: String = "",
                   _ dimension: RollupDimension = .org, _ kind: RollupPeriodKind = .month) -> RollupEntry {
            RollupEntry(key: RollupKey(dimension, unit, kind, period, categoryCode: category, channel: channel), unitLevel: "x",
                        area: OrgAncestry(), counts: CaseCounts())
        }
        for _ in 0..<300 {
            let entries = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                entry(text(), text(), category: text(), channel: text(), [.org, .department, .worker].randomElement(using: &generator)!,
                      [.day, .month].randomElement(using: &generator)!)
            }
            let positions = try XCTUnwrap(RollupKeys.JoinedKeys(entries)).sortedPositions()
            XCTAssertEqual(positions.sorted(), Array(entries.indices), "each entry once")
            let keys = positions.map { entries[$0].key }
            for (a, b) in zip(keys, keys.dropFirst()) {
                XCTAssertFalse(b < a, "\(a) before \(b)")
            }
        }
        let withNUL = [entry("a\u{0}b"), entry("a"), entry("a", category: "\u{0}")]
        XCTAssertNil(RollupKeys.JoinedKeys(withNUL))
        XCTAssertEqual(RollupKeys.merged(withNUL).map(\.key), [withNUL[1].key, withNUL[2].key, withNUL[0].key])
    }
}
