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

    /// The names of the five ancestor columns, city first.
    public static var ancestorColumns: [String] { OrgLevel.allCases.map { ancestorKey($0).description } }

    /// The five ancestor columns of a plain row (one read without the model).
    public static func placeColumns(of row: any SQLRow) throws -> OrgAncestry {
        func code(_ level: OrgLevel) throws -> String? { try row.decode(column: ancestorKey(level).description, as: String?.self) }
        return OrgAncestry(cityCode: try code(.city), countyCode: try code(.county), townshipCode: try code(.township),
                           villageCode: try code(.village), gridCode: try code(.grid))
    }

    /// Rows inside `scope` (the scope's root included): one indexed equality on its level's column.
    /// A filter value rather than a builder call, so several can go into one group without Fluent
    /// building a model for each.
    public static func filter(within scope: OrgScope) -> DatabaseQuery.Filter {
        .value(.quoted(ancestorKey(scope.level), of: schema), .equal, .bind(scope.code))
    }
}

extension QueryBuilder where Model: PlacedInTree {
    /// Restricts a query to the rows inside `scope` (the scope's root included).
    public func within(_ scope: OrgScope) -> Self {
        filter(Model.filter(within: scope))
    }

    /// Rows inside any of `scopes` (a grid worker's several grids); no scopes, no restriction, as an
    /// empty `group` adds none.
    public func within(anyOf scopes: [OrgScope]) -> Self {
        scopes.isEmpty ? self : filter(.group(scopes.map(Model.filter(within:)), .or))
    }
}

extension SQLPredicateBuilder {
    /// `within` for plain SQL reads of a placed table (`Model`'s ancestor columns).
    public func within<Model: PlacedInTree>(_ scope: OrgScope, of model: Model.Type) -> Self {
        self.where(SQLIdentifier(Model.ancestorKey(scope.level).description), .equal, scope.code)
    }
}
