/// The demo county every newcomer sees: one city, one county, three townships, eight villages and
/// communities, 24 grids with adjoining polygons, county departments and township offices, and a user
/// for every role. Deterministic: loading it twice into two databases gives identical data.
public enum DemoCounty {
    public static let password = "demo12345"

    public struct Unit: Sendable {
        public var code: String
        public var name: String
        public var level: OrgLevel
        public var parentCode: String?
        public var polygon: GeoMultiPolygon?
    }

    public struct Department: Sendable {
        public var code: String
        public var name: String
        public var orgCode: String
        /// Short key used in handler usernames, e.g. `cg` → `handler-cg`.
        public var key: String
    }

    public struct User: Sendable {
        public var username: String
        public var displayName: String
        public var role: Role
        public var orgCode: String
        public var departmentCode: String?
        public var phone: String?
        /// Grids a grid worker walks.
        public var gridCodes: [String] = []
    }

    public static let cityCode = "330100"
    public static let countyCode = "330110"

    static let townships: [(code: String, name: String, villages: [(String, String)])] = [
        ("330110001", "东湖街道", [("330110001001", "湖滨社区"), ("330110001002", "柳岸社区"), ("330110001003", "新桥社区")]),
        ("330110002", "南山镇", [("330110002001", "南山村"), ("330110002002", "茶园村"), ("330110002003", "竹坞村")]),
        ("330110003", "西溪镇", [("330110003001", "西溪村"), ("330110003002", "梅家坞村")]),
    ]

    static let gridOrdinals = ["第一网格", "第二网格", "第三网格"]

    /// Villages are the columns of a lattice west to east, their three grids the rows north to south.
    public static var units: [Unit] {
        var result: [Unit] = [
            Unit(code: cityCode, name: "临江市", level: .city, parentCode: nil, polygon: nil),
            Unit(code: countyCode, name: "安澜区", level: .county, parentCode: cityCode, polygon: nil),
        ]
        let lattice = DemoGeometry.lattice(
            columns: 8, rows: 3, origin: GeoPoint(lon: 120.26, lat: 30.405),
            cellLon: 0.01, cellLat: 0.01, jitter: 0.0018, seed: 330110
        )
        var column = 0
        for township in townships {
            result.append(Unit(code: township.code, name: township.name, level: .township, parentCode: countyCode, polygon: nil))
            for (villageCode, villageName) in township.villages {
                result.append(Unit(code: villageCode, name: villageName, level: .village, parentCode: township.code, polygon: nil))
                for row in 0..<3 {
                    // Row 0 is the southern edge of the lattice; number grids from the north.
                    let polygon = lattice[column][2 - row]
                    result.append(Unit(code: "\(villageCode)-0\(row + 1)", name: villageName + gridOrdinals[row],
                                       level: .grid, parentCode: villageCode, polygon: GeoMultiPolygon(polygon)))
                }
                column += 1
            }
        }
        return result
    }

    public static var gridCodes: [String] { units.filter { $0.level == .grid }.map(\.code) }

    public static let departments: [Department] = [
        Department(code: "330110-CG", name: "区城管局", orgCode: countyCode, key: "cg"),
        Department(code: "330110-ZJ", name: "区住建局", orgCode: countyCode, key: "zj"),
        Department(code: "330110-SJ", name: "区市场监管局", orgCode: countyCode, key: "sj"),
        Department(code: "330110-GA", name: "区公安分局", orgCode: countyCode, key: "ga"),
        Department(code: "330110-HJ", name: "区生态环境分局", orgCode: countyCode, key: "hj"),
        Department(code: "330110-SW", name: "区水务局", orgCode: countyCode, key: "sw"),
        Department(code: "330110-RS", name: "区人社局", orgCode: countyCode, key: "rs"),
        Department(code: "330110-JT", name: "区交通运输局", orgCode: countyCode, key: "jt"),
        Department(code: "330110-JY", name: "区教育局", orgCode: countyCode, key: "jy"),
        Department(code: "330110-WJ", name: "区卫健局", orgCode: countyCode, key: "wj"),
        Department(code: "330110001-ZF", name: "东湖街道综合行政执法队", orgCode: "330110001", key: "dh-zf"),
        Department(code: "330110002-ZF", name: "南山镇综合行政执法队", orgCode: "330110002", key: "ns-zf"),
        Department(code: "330110003-ZF", name: "西溪镇综合行政执法队", orgCode: "330110003", key: "xx-zf"),
    ]

    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"]
    static let givenNames = ["建国", "秀英", "志强", "丽华", "伟", "芳", "海峰", "静", "明", "婷", "军", "霞"]

    static func personName(_ i: Int) -> String {
        surnames[i % surnames.count] + givenNames[(i * 7 + 3) % givenNames.count]
    }

    static func phone(_ i: Int) -> String { "1390571" + String(format4(i)) }
    static func format4(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    public static var users: [User] {
        var result: [User] = [
            User(username: "admin", displayName: "系统管理员", role: .admin, orgCode: countyCode, phone: phone(1)),
            User(username: "cityadmin", displayName: "市级管理员", role: .admin, orgCode: cityCode, phone: phone(2)),
            User(username: "dispatcher", displayName: "区综治中心调度员" + personName(3), role: .dispatcher, orgCode: countyCode, phone: phone(3)),
            User(username: "dispatcher-dh", displayName: "东湖街道调度员" + personName(4), role: .dispatcher, orgCode: "330110001", phone: phone(4)),
            User(username: "dispatcher-ns", displayName: "南山镇调度员" + personName(5), role: .dispatcher, orgCode: "330110002", phone: phone(5)),
            User(username: "leader", displayName: "区领导" + personName(6), role: .leader, orgCode: countyCode, phone: phone(6)),
            User(username: "leader-dh", displayName: "东湖街道领导" + personName(7), role: .leader, orgCode: "330110001", phone: phone(7)),
            User(username: "citizen", displayName: "市民" + personName(8), role: .citizen, orgCode: countyCode, phone: phone(8)),
        ]
        for (i, department) in departments.enumerated() {
            result.append(User(username: "handler-" + department.key, displayName: department.name + personName(20 + i),
                               role: .handler, orgCode: department.orgCode, departmentCode: department.code, phone: phone(20 + i)))
        }
        for (i, grid) in gridCodes.enumerated() {
            let villageCode = String(grid.prefix(12))
            result.append(User(username: "grid\(i + 1)", displayName: "网格员" + personName(40 + i), role: .gridWorker,
                               orgCode: villageCode, phone: phone(40 + i), gridCodes: [grid]))
        }
        return result
    }
}
