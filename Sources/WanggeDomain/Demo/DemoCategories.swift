/// The demo county's case categories (大类/小类), each subcategory with the level and department
/// the dispatch dialog suggests.
extension DemoCounty {
    public struct Category: Sendable {
        public var code: String
        public var name: String
        public var parentCode: String?
        public var defaultLevel: OrgLevel?
        public var defaultDepartmentCode: String?
        public var attributes: [ServiceAttribute] = []
    }

    /// Extra fields of some categories, which Open311 clients see as service attributes.
    static let categoryAttributes: [String: [ServiceAttribute]] = [
        "0102": [ServiceAttribute(code: "vendor_type", datatype: .singlevaluelist, required: false, description: "经营类型",
                                  values: [.init(key: "food", name: "餐饮"), .init(key: "fruit", name: "果蔬"), .init(key: "other", name: "其他")])],
        "0401": [ServiceAttribute(code: "workers_owed", datatype: .number, required: true, description: "被欠薪人数"),
                 ServiceAttribute(code: "employer", datatype: .string, required: false, description: "用工单位")],
    ]

    /// The Open311 key every demo installation accepts, so a client can be tried at once.
    public static let open311Key = "demo-open311-key"

    static let categoryTree: [(code: String, name: String, subs: [(String, String, OrgLevel, String?)])] = [
        ("01", "城市管理", [("0101", "井盖缺失破损", .county, "330110-CG"), ("0102", "占道经营", .county, "330110-CG"),
                         ("0103", "违章搭建", .county, "330110-CG"), ("0104", "垃圾堆积", .township, nil),
                         ("0105", "路灯故障", .county, "330110-CG"), ("0106", "道路破损", .county, "330110-ZJ")]),
        ("02", "环境保护", [("0201", "噪声扰民", .county, "330110-HJ"), ("0202", "餐饮油烟", .county, "330110-HJ"),
                         ("0203", "污水直排", .county, "330110-HJ")]),
        ("03", "市场监管", [("0301", "食品安全", .county, "330110-SJ"), ("0302", "价格欺诈", .county, "330110-SJ")]),
        ("04", "劳动保障", [("0401", "拖欠工资", .county, "330110-RS"), ("0402", "社保待遇", .county, "330110-RS")]),
        ("05", "矛盾纠纷", [("0501", "邻里纠纷", .village, nil), ("0502", "物业纠纷", .township, nil),
                         ("0503", "婚姻家庭", .village, nil), ("0504", "土地纠纷", .township, nil)]),
        ("06", "治安隐患", [("0601", "治安隐患", .county, "330110-GA"), ("0602", "消防隐患", .county, "330110-GA")]),
        ("07", "公共设施", [("0701", "供水问题", .county, "330110-SW"), ("0702", "排水不畅", .county, "330110-SW"),
                         ("0703", "健身器材损坏", .grid, nil)]),
        ("08", "交通出行", [("0801", "公交站点", .county, "330110-JT"), ("0802", "违规停车", .county, "330110-GA")]),
        ("09", "教育", [("0901", "校园周边安全", .county, "330110-JY")]),
        ("10", "医疗卫生", [("1001", "医疗服务", .county, "330110-WJ"), ("1002", "病媒防治", .county, "330110-WJ")]),
    ]

    public static var categories: [Category] {
        categoryTree.flatMap { top in
            [Category(code: top.code, name: top.name, parentCode: nil, defaultLevel: nil, defaultDepartmentCode: nil)]
                + top.subs.map { Category(code: $0.0, name: $0.1, parentCode: top.code, defaultLevel: $0.2, defaultDepartmentCode: $0.3,
                                          attributes: categoryAttributes[$0.0] ?? []) }
        }
    }
}
