/// What a generated report says: where, what, and why it matters, in the words people use on the phone
/// or at the window. Drawn from lists wide enough that a county's reports use over a thousand
/// two-character search terms, not a few hundred (real ones use more still): how fast search and its
/// index are depends on how many terms there are (a county with 345 made the bench's intake look a
/// quarter cheaper; BENCHMARKS.md, "A county whose reports say more").
public enum DemoReportText {
    /// Streets, estates and landmarks of a county town and its villages.
    static let landmarks = [
        "幸福小区", "阳光花园", "人民路", "解放街", "中山路", "建设路", "文化广场", "体育馆", "火车站", "汽车站",
        "第一小学", "实验中学", "人民医院", "农贸市场", "滨江公园", "湖滨路", "新华书店", "工人新村", "锦绣家园", "翠苑",
        "城南菜场", "东门桥", "南湖大道", "北环路", "西城广场", "老年活动中心", "社区卫生站", "中心幼儿园", "万达广场", "茶园路",
        "竹林巷", "梅花弄", "柳岸新村", "桂花苑", "丽水湾", "金色家园", "和平里", "安置小区", "工业园区", "村委会",
    ]
    /// Where at the landmark.
    static let spots = [
        "门口", "东侧", "西门", "南面", "北边", "对面", "旁边", "十字路口", "停车场", "楼道里",
        "地下车库", "绿化带", "人行道上", "公交站台", "围墙外", "后面小路", "拐角处", "广场上", "河边", "桥下",
    ]
    /// Why it matters, or what the reporter has already tried.
    static let tails = [
        "需要尽快处理", "已经好几天了", "影响居民出行", "存在安全隐患", "多次反映未解决", "群众意见很大",
        "晚上特别严重", "老人小孩经过很危险", "周边商户也有意见", "希望相关部门来看看", "下雨天更明显", "已经持续一个多月",
        "早高峰时段最严重", "请尽快派人处理", "附近居民反映强烈", "担心出事故", "影响周边环境", "夜里吵得睡不着",
        "气味很大", "路过的人都绕着走", "之前处理过又出现了", "物业说不归他们管", "打过热线还没人来", "拍了照片请核实",
    ]

    /// How each channel's reports open: a grid worker's patrol, a hotline call, a visit, a petition.
    static func opening(_ channel: Channel) -> String {
        switch channel {
        case .citizen, .open311: ""
        case .patrol: "巡查发现"
        case .hotline: "来电反映"
        case .window: "来访群众反映"
        case .petition: "信访人反映"
        }
    }

    /// A report about `category` as it would arrive by `channel`, e.g. 来电反映人民路拐角处路灯故障,晚上特别严重.
    public static func text(category: String, channel: Channel, using random: inout SplitMix64) -> String {
        let landmark = random.pick(landmarks)
        let spot = random.pick(spots)
        let tail = random.pick(tails)
        return opening(channel) + landmark + spot + category + "," + tail
    }
}
