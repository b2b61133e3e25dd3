import FluentKit
import Foundation
import WanggeDomain

/// One rollup row: the counts of one unit (org unit, department or grid worker) in one day or month,
/// for one category and channel or all of them (`""`). The area columns say where the unit sits.
public final class RollupModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "rollups"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Column(key: "dimension") public var dimension: String
    @Column(key: "unit_code") public var unitCode: String
    @Column(key: "unit_level") public var unitLevel: String
    @Column(key: "period_kind") public var periodKind: String
    @Column(key: "period") public var period: String
    @Column(key: "category_code") public var categoryCode: String
    @Column(key: "channel") public var channel: String
    @Column(key: "city_code") public var cityCode: String?
    @Column(key: "county_code") public var countyCode: String?
    @Column(key: "township_code") public var townshipCode: String?
    @Column(key: "village_code") public var villageCode: String?
    @Column(key: "grid_code") public var gridCode: String?
    @Column(key: "received") public var received: Int
    @Column(key: "registered") public var registered: Int
    @Column(key: "dispatched") public var dispatched: Int
    @Column(key: "responded_in_time") public var respondedInTime: Int
    @Column(key: "closed") public var closed: Int
    @Column(key: "closed_on_time") public var closedOnTime: Int
    @Column(key: "overdue") public var overdue: Int
    @Column(key: "returned") public var returned: Int
    @Column(key: "reworked") public var reworked: Int
    @Column(key: "satisfied") public var satisfied: Int
    @Column(key: "basically_satisfied") public var basicallySatisfied: Int
    @Column(key: "unsatisfied") public var unsatisfied: Int
    @Column(key: "reopened") public var reopened: Int

    public init() {}

    /// The counter columns in `CaseCounts.values` order.
    public static let counterColumns = [
        "received", "registered", "dispatched", "responded_in_time", "closed", "closed_on_time", "overdue",
        "returned", "reworked", "satisfied", "basically_satisfied", "unsatisfied", "reopened",
    ]

    public var key: RollupKey {
        RollupKey(RollupDimension(rawValue: dimension) ?? .org, unitCode, RollupPeriodKind(rawValue: periodKind) ?? .day, period,
                  categoryCode: categoryCode, channel: channel)
    }

    public var counts: CaseCounts {
        CaseCounts(values: [received, registered, dispatched, respondedInTime, closed, closedOnTime, overdue,
                            returned, reworked, satisfied, basicallySatisfied, unsatisfied, reopened])
    }

    /// Leader pages read thousands of these; listed so Fluent needs no `Mirror` per row, in
    /// declaration order (ModelPropertiesTests compares the two).
    public var properties: [any AnyProperty] {
        [_id, _dimension, _unitCode, _unitLevel, _periodKind, _period, _categoryCode, _channel, _cityCode, _countyCode,
         _townshipCode, _villageCode, _gridCode, _received, _registered, _dispatched, _respondedInTime, _closed, _closedOnTime,
         _overdue, _returned, _reworked, _satisfied, _basicallySatisfied, _unsatisfied, _reopened]
    }
}

/// How many cases are open now, and how many of those are overdue, per org unit (every level) and
/// per lead department: the dashboard's map and "now" figures without scanning cases.
public final class OpenGaugeModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "open_gauges"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Column(key: "dimension") public var dimension: String
    @Column(key: "unit_code") public var unitCode: String
    @Column(key: "unit_level") public var unitLevel: String
    @Column(key: "city_code") public var cityCode: String?
    @Column(key: "county_code") public var countyCode: String?
    @Column(key: "township_code") public var townshipCode: String?
    @Column(key: "village_code") public var villageCode: String?
    @Column(key: "grid_code") public var gridCode: String?
    @Column(key: "open_count") public var openCount: Int
    @Column(key: "overdue_count") public var overdueCount: Int

    public init() {}

    /// The dashboard's map reads one per grid; listed so Fluent needs no `Mirror` per row.
    public var properties: [any AnyProperty] {
        [_id, _dimension, _unitCode, _unitLevel, _cityCode, _countyCode, _townshipCode, _villageCode, _gridCode, _openCount, _overdueCount]
    }
}
