/// The five levels of the governance tree (市 / 县区 / 乡镇街道 / 村社区 / 网格).
public enum OrgLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case city, county, township, village, grid

    public var depth: Int {
        switch self {
        case .city: 0
        case .county: 1
        case .township: 2
        case .village: 3
        case .grid: 4
        }
    }

    public static func < (a: OrgLevel, b: OrgLevel) -> Bool { a.depth < b.depth }

    /// The level a unit's parent must have; a city is the root.
    public var parentLevel: OrgLevel? {
        switch self {
        case .city: nil
        case .county: .city
        case .township: .county
        case .village: .township
        case .grid: .village
        }
    }

    public var childLevel: OrgLevel? { OrgLevel.allCases.first { $0.parentLevel == self } }

    public var nameZH: String {
        switch self {
        case .city: "市"
        case .county: "县区"
        case .township: "乡镇街道"
        case .village: "村社区"
        case .grid: "网格"
        }
    }

    public var nameEN: String {
        switch self {
        case .city: "City"
        case .county: "County/District"
        case .township: "Township/Street"
        case .village: "Village/Community"
        case .grid: "Grid"
        }
    }

    public static func parse(_ raw: String) throws -> OrgLevel {
        guard let level = OrgLevel(rawValue: raw) else {
            throw AppError.invalid("org.level", zh: "未知的层级「\(raw)」。", en: "Unknown level \(raw).", field: "level")
        }
        return level
    }
}
