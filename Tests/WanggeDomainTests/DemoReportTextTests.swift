import WanggeDomain
import XCTest

final class DemoReportTextTests: XCTestCase {
    /// Search's index and its speed depend on how many distinct terms a county's reports use; a generated
    /// county that says the same few things (345 terms in 10,000 reports) measured a cheaper index than a
    /// real one would need.
    func testTenThousandGeneratedReportsUseOverAThousandSearchTerms() {
        var random = SplitMix64(seed: 7)
        let categories = DemoCounty.categories.map(\.name)
        var terms = Set<String>()
        var texts = Set<String>()
        for _ in 0..<10000 {
            let category = categories[Int(random.next() % UInt64(categories.count))]
            let text = DemoReportText.text(category: category, channel: .citizen, using: &random)
            XCTAssertTrue(text.contains(category), text)
            terms.formUnion(SearchTerms.terms(text))
            texts.insert(text)
        }
        XCTAssertGreaterThan(terms.count, 1000)
        XCTAssertGreaterThan(texts.count, 9000, "nearly every report says something of its own")
    }

    func testAReportOpensAsItsChannelWouldHaveIt() {
        var random = SplitMix64(seed: 1)
        XCTAssertTrue(DemoReportText.text(category: "路灯故障", channel: .patrol, using: &random).hasPrefix("巡查发现"))
        XCTAssertTrue(DemoReportText.text(category: "路灯故障", channel: .hotline, using: &random).hasPrefix("来电反映"))
        let citizen = DemoReportText.text(category: "路灯故障", channel: .citizen, using: &random)
        XCTAssertFalse(citizen.hasPrefix("巡查") || citizen.hasPrefix("来电"), citizen)
    }
}
