import FluentKit
import Foundation
import WanggeDomain

/// A node of the governance tree. The ancestor codes at each level are stored on the row so that a
/// subtree is one indexed equality (`township_code = '330110001'`) even at 100,000 units.
public final class OrgUnitModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "org_units"

    @ID(key: .id) public var id: UUID?
    @Column(key: "code") public var code: String
    @Column(key: "name") public var name: String
    @Column(key: "level") public var level: String
    @OptionalParent(key: "parent_id") public var parent: OrgUnitModel?
    @Column(key: "path") public var path: String
    @Column(key: "city_code") public var cityCode: String?
    @Column(key: "county_code") public var countyCode: String?
    @Column(key: "township_code") public var townshipCode: String?
    @Column(key: "village_code") public var villageCode: String?
    @Column(key: "grid_code") public var gridCode: String?
    /// GeoJSON geometry (Polygon or MultiPolygon, WGS-84); grids only.
    @Column(key: "geometry") public var geometry: String?
    @Column(key: "min_lon") public var minLon: Double?
    @Column(key: "min_lat") public var minLat: Double?
    @Column(key: "max_lon") public var maxLon: Double?
    @Column(key: "max_lat") public var maxLat: Double?
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
