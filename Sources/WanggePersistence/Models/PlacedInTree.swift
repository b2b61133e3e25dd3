import FluentKit
import SQLKit
import WanggeDomain

/// A row that stores the code of its ancestor at each level of the tree (org units and cases), so
/// "inside this area" is one indexed equality on one column.
public protocol PlacedInTree: Model {
    var cityCode: String? { get set }
    var countyCode: String? { get set }
    var townshipCode: String? { get set }
    var villageCode: String? { get set }
    var gridCode: String? { get set }
}

extension PlacedInTree {
    /// The five ancestor columns as one value.
    public var placeColumns: OrgAncestry {
        get {
            OrgAncestry(cityCode: cityCode, countyCode: countyCode, townshipCode: townshipCode, villageCode: villageCode, gridCode: gridCode)
        }
        set {
            cityCode = newValue.cityCode
            countyCode = newValue.countyCode
            townshipCode = newValue.townshipCode
            villageCode = newValue.villageCode
            gridCode = newValue.gridCode
        }
    }

    public static func ancestorKey(_ level: OrgLevel) -> FieldKey {
        switch level {
        case .city: "city_code"
        case .county: "county_code"
        case .township: "township_code"
        case .village: "village_code"
        case .grid: "grid_code"
        }
    }
}

extension QueryBuilder where Model: PlacedInTree {
    /// Restricts a query to the rows inside `scope` (the scope's root included).
    public func within(_ scope: OrgScope) -> Self {
        filter(.path([Model.ancestorKey(scope.level)], schema: Model.schema), .equal, .bind(scope.code))
    }

    /// Rows inside any of `scopes` (a grid worker's several grids).
    public func within(anyOf scopes: [OrgScope]) -> Self {
        group(.or) { group in
            for scope in scopes { group.within(scope) }
        }
    }
}

extension SQLPredicateBuilder {
    /// `within` for plain SQL reads of a placed table (`Model`'s ancestor columns).
    public func within<Model: PlacedInTree>(_ scope: OrgScope, of model: Model.Type) -> Self {
        self.where(SQLIdentifier(Model.ancestorKey(scope.level).description), .equal, scope.code)
    }
}
