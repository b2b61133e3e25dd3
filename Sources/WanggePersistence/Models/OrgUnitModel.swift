import FluentKit
import Foundation
import WanggeDomain

/// A node of the governance tree. The ancestor codes at each level are stored on the row so that a
/// subtree is one indexed equality (`township_code = '330110001'`) even at 100,000 units.
public final class OrgUnitModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "org_units"

    @ID(key: .id) public var id: UUID?
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    @Field(key: "level") public var level: String
    @OptionalParent(key: "parent_id") public var parent: OrgUnitModel?
    @Field(key: "path") public var path: String
    @OptionalField(key: "city_code") public var cityCode: String?
    @OptionalField(key: "county_code") public var countyCode: String?
    @OptionalField(key: "township_code") public var townshipCode: String?
    @OptionalField(key: "village_code") public var villageCode: String?
    @OptionalField(key: "grid_code") public var gridCode: String?
    /// GeoJSON geometry (Polygon or MultiPolygon, WGS-84); grids only.
    @OptionalField(key: "geometry") public var geometry: String?
    @OptionalField(key: "min_lon") public var minLon: Double?
    @OptionalField(key: "min_lat") public var minLat: Double?
    @OptionalField(key: "max_lon") public var maxLon: Double?
    @OptionalField(key: "max_lat") public var maxLat: Double?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public var orgLevel: OrgLevel { OrgLevel(rawValue: level) ?? .grid }

    /// Setting it also sets the display path.
    public var ancestry: OrgAncestry {
        get { placeColumns }
        set {
            placeColumns = newValue
            path = newValue.path
        }
    }

    /// The scope this unit is the root of.
    public var scope: OrgScope { OrgScope(level: orgLevel, code: code) }

    public var shape: GeoMultiPolygon? {
        guard let geometry else { return nil }
        return try? GeoJSON.parseGeometry(geometry)
    }

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] {
        [_id, _code, _name, _level, _parent, _path, _cityCode, _countyCode, _townshipCode, _villageCode, _gridCode, _geometry,
         _minLon, _minLat, _maxLon, _maxLat, _createdAt, _updatedAt]
    }
}
