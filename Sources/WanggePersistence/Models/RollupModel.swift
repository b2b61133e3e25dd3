import FluentKit
import Foundation
import WanggeDomain

/// One rollup row: the counts of one unit (org unit, department or grid worker) in one day or month,
/// for one category and channel or all of them (`""`). The area columns say where the unit sits.
public final class RollupModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "rollups"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "dimension") public var dimension: String
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "unit_level") public var unitLevel: String
    @Field(key: "period_kind") public var periodKind: String
    @Field(key: "period") public var period: String
    @Field(key: "category_code") public var categoryCode: String
    @Field(key: "channel") public var channel: String
    @OptionalField(key: "city_code") public var cityCode: String?
    @OptionalField(key: "county_code") public var countyCode: String?
    @OptionalField(key: "township_code") public var townshipCode: String?
    @OptionalField(key: "village_code") public var villageCode: String?
    @OptionalField(key: "grid_code") public var gridCode: String?
    @Field(key: "received") public var received: Int
    @Field(key: "registered") public var registered: Int
    @Field(key: "dispatched") public var dispatched: Int
    @Field(key: "responded_in_time") public var respondedInTime: Int
    @Field(key: "closed") public var closed: Int
    @Field(key: "closed_on_time") public var closedOnTime: Int
    @Field(key: "overdue") public var overdue: Int
    @Field(key: "returned") public var returned: Int
    @Field(key: "reworked") public var reworked: Int
    @Field(key: "satisfied") public var satisfied: Int
    @Field(key: "basically_satisfied") public var basicallySatisfied: Int
    @Field(key: "unsatisfied") public var unsatisfied: Int
    @Field(key: "reopened") public var reopened: Int

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
    @Field(key: "dimension") public var dimension: String
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "unit_level") public var unitLevel: String
    @OptionalField(key: "city_code") public var cityCode: String?
    @OptionalField(key: "county_code") public var countyCode: String?
    @OptionalField(key: "township_code") public var townshipCode: String?
    @OptionalField(key: "village_code") public var villageCode: String?
    @OptionalField(key: "grid_code") public var gridCode: String?
    @Field(key: "open_count") public var openCount: Int
    @Field(key: "overdue_count") public var overdueCount: Int

    public init() {}

    /// The dashboard's map reads one per grid; listed so Fluent needs no `Mirror` per row.
    public var properties: [any AnyProperty] {
        [_id, _dimension, _unitCode, _unitLevel, _cityCode, _countyCode, _townshipCode, _villageCode, _gridCode, _openCount, _overdueCount]
    }
}
