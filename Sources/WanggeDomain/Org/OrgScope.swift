/// Where a unit sits in the tree, as the code of its ancestor at each level (its own code at its
/// own level). Storing these on every unit (and later on every case) turns "everything under this
/// township" into one indexed equality, whatever the size of the tree.
public struct OrgAncestry: Sendable, Equatable, Codable {
    public var cityCode: String?
    public var countyCode: String?
    public var townshipCode: String?
    public var villageCode: String?
    public var gridCode: String?

    public init(cityCode: String? = nil, countyCode: String? = nil, townshipCode: String? = nil,
                villageCode: String? = nil, gridCode: String? = nil) {
        self.cityCode = cityCode
        self.countyCode = countyCode
        self.townshipCode = townshipCode
        self.villageCode = villageCode
        self.gridCode = gridCode
    }

    public subscript(level: OrgLevel) -> String? {
        get {
            switch level {
            case .city: cityCode
            case .county: countyCode
            case .township: townshipCode
            case .village: villageCode
            case .grid: gridCode
            }
        }
        set {
            switch level {
            case .city: cityCode = newValue
            case .county: countyCode = newValue
            case .township: townshipCode = newValue
            case .village: villageCode = newValue
            case .grid: gridCode = newValue
            }
        }
    }

    /// The ancestry of a child of a unit with this ancestry.
    public func child(level: OrgLevel, code: String) -> OrgAncestry {
        var copy = self
        copy[level] = code
        return copy
    }

    /// The code of the lowest level present: where a case is, for counting.
    public var deepestCode: String? { gridCode ?? villageCode ?? townshipCode ?? countyCode ?? cityCode }

    /// Path like `/330100/330110/330110001/`, for display and ordering.
    public var path: String {
        "/" + OrgLevel.allCases.compactMap { self[$0] }.map { $0 + "/" }.joined()
    }
}

/// The part of the tree a user may see: every unit whose ancestor at `level` is `code`.
public struct OrgScope: Sendable, Equatable, Codable {
    public var level: OrgLevel
    public var code: String

    public init(level: OrgLevel, code: String) {
        self.level = level
        self.code = code
    }

    public func contains(_ ancestry: OrgAncestry) -> Bool { ancestry[level] == code }
}
