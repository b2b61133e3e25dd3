import FluentKit
import Foundation
import WanggeDomain
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// Lists and the overview's map make their rows by the position of each column (`PositionalRow`): on SQLite's direct
/// reader straight from the statement, elsewhere from the rows by name. Either way each field must hold what the whole
/// case model, decoded by Fluent, holds.
final class PositionalReadsTests: XCTestCase {
    func testAListsCasesAndTheMapsPointsHoldWhatTheCaseModelHolds() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            var codes: [String] = []
            for (grid, category, address) in [("330110001001-01", "0101", "文一路 12 号"), ("330110002001-01", nil, nil), ("330110001002-01", "0201", nil)] {
                let spot = try t.centre(of: grid)
                var body: [String: Any] = ["channel": "citizen", "description": "小区门口路灯不亮,晚上看不清路", "location": ["lat": spot.lat, "lon": spot.lon]]
                if let category { body["categoryCode"] = category }
                if let address { body["address"] = address }
                let r = try await t.report(body)
                codes.append(try XCTUnwrap(r.json["code"] as? String, "\(r.json)"))
            }
            try await t.act(codes[0], "register", token: dispatcher)
            try await t.act(codes[0], "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            try await t.act(codes[2], "register", token: dispatcher)

            let db = t.app.db
            let models = try await CaseModel.query(on: db).filter(\.$code ~~ codes).sort(\.$id, .descending).all()
            XCTAssertEqual(models.count, 3)
            let expected = models.map { summaryFields(CaseSummary($0)) }
            XCTAssertTrue(models.contains { $0.leadDepartmentCode != nil && $0.categoryCode != nil && $0.address != nil && $0.dueAt != nil },
                          "some fields are filled, so that a field read from the wrong column shows")
            let queries = CaseQueryService(db: db)
            let list = CaseListQuery(on: db).filter("code", in: codes).sort("id", .descending)
            let county = OrgScope(level: .county, code: "330110")
            let open = Set(models.filter { CaseState(rawValue: $0.state)?.isOpen ?? false }.map(\.code))

            let pooled = try await queries.page(list, limit: 20)
            XCTAssertEqual(pooled.map(summaryFields), expected, "through the pool (PostgreSQL's rows by name)")
            let pooledMap = try await queries.newestOpen(within: county, limit: 10).filter { open.contains($0.code) }
            XCTAssertEqual(pooledMap.map(pointFields), models.filter { open.contains($0.code) }.map(pointFields))
            guard t.database == .sqlite else { return }
            let reader = try XCTUnwrap(t.app.storage[SQLiteDirectReaderKey.self])
            try await SQLiteDirectReader.$current.withValue(reader) {
                let direct = try await queries.page(list, limit: 20)
                XCTAssertEqual(direct.map(summaryFields), expected, "straight from SQLite's statement")
                for clocks in [false, true] {
                    let map = try await queries.newestOpen(within: county, limit: 10, clocks: clocks).filter { open.contains($0.code) }
                    XCTAssertEqual(map.map(pointFields), models.filter { open.contains($0.code) }.map(pointFields), "clocks: \(clocks)")
                    XCTAssertEqual(map.map { $0.deadlinesJSON != nil }, map.map { _ in clocks })
                }
            }
        }
    }

    private func summaryFields(_ c: CaseSummary) -> String {
        "\(c.id) \(c.code) \(c.state) \(c.channel) \(c.description) \(c.urgency) \(c.categoryCode ?? "-") \(c.address ?? "-") " +
            "\(c.gridCode ?? "-") \(c.leadDepartmentCode ?? "-") \(c.lat ?? 0) \(c.lon ?? 0) \(c.createdAt.timeIntervalSince1970) " +
            "\(times([c.dueAt, c.blueAt, c.yellowAt])) \(c.deadlinesJSON)"
    }

    private func pointFields(_ p: CaseMapPoint) -> String {
        // Its unit: the county's map counts by township.
        "\(p.code) \(p.state) \(p.gridCode ?? "-") \(p.lat ?? 0) \(p.lon ?? 0) \(times([p.dueAt, p.blueAt, p.yellowAt])) \(p.unitCode ?? "-")"
    }

    private func pointFields(_ m: CaseModel) -> String {
        "\(m.code) \(m.state) \(m.gridCode ?? "-") \(m.lat ?? 0) \(m.lon ?? 0) \(times([m.dueAt, m.blueAt, m.yellowAt])) \(m.townshipCode ?? "-")"
    }

    private func times(_ dates: [Date?]) -> String { dates.map { $0.map { "\($0.timeIntervalSince1970)" } ?? "-" }.joined(separator: ",") }
}
