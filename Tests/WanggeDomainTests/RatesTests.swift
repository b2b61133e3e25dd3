import XCTest
@testable import WanggeDomain

final class RatesTests: XCTestCase {
    func testRatesOnAHandMadeMonth() throws {
        var c = CaseCounts()
        c.received = 120; c.registered = 100; c.dispatched = 80; c.respondedInTime = 95; c.closed = 90; c.closedOnTime = 81
        c.overdue = 7; c.returned = 4; c.reworked = 2; c.satisfied = 50; c.basicallySatisfied = 20; c.unsatisfied = 10
        XCTAssertEqual(try XCTUnwrap(Rate.response.value(c)), 0.95, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.resolution.value(c)), 0.90, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.onTime.value(c)), 0.90, accuracy: 1e-12)
        // (50 + 0.8 × 20) / 80 = 0.825; with 基本满意 counted fully, (50 + 20) / 80 = 0.875.
        XCTAssertEqual(try XCTUnwrap(Rate.satisfaction.value(c)), 0.825, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.satisfaction.value(c, basicallySatisfiedWeight: 1)), 0.875, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.rework.value(c)), 0.025, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.returnRate.value(c)), 0.05, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Rate.overdueRate.value(c)), 0.07, accuracy: 1e-12)
    }

    func testNothingToCountIsNoRateAndCountsAdd() {
        XCTAssertNil(Rate.satisfaction.value(CaseCounts()))
        XCTAssertNil(Rate.resolution.value(CaseCounts()))
        var a = CaseCounts(); a.registered = 3; a.closed = 1
        var b = CaseCounts(); b.registered = 1; b.closed = 3
        XCTAssertEqual(Rate.resolution.value(a + b), 1.0)
        XCTAssertTrue(Rate.allCases.allSatisfy { !$0.explanationZH.isEmpty })
        XCTAssertFalse(Rate.overdueRate.higherIsBetter)
    }
}
