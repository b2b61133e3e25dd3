/// Everything that can happen to a case. Each is one event in the log.
public enum CaseAction: String, Sendable, Codable, CaseIterable {
    case report                    // intake
    case register                  // 立案
    case reject                    // 不予受理
    case merge                     // into a master case
    case dispatch                  // 派遣 to a department (lead + co-handlers) or a grid
    case accept                    // the handler takes it on
    case returnCase = "return"     // 退回: mis-routed, back to the dispatcher
    case requestExtension = "request_extension"   // 延期申请
    case approveExtension = "approve_extension"
    case denyExtension = "deny_extension"
    case requestEscalation = "request_escalation" // the handler asks for 提级
    case escalate                  // 提级: the case goes to the parent level's centre
    case pushDown = "push_down"    // 下派: to a child level's centre
    case coHandle = "co_handle"    // a co-handling department records its part
    case submitResult = "submit_result"          // 处置完毕, with result and photos
    case resolveOnSpot = "resolve_on_spot"       // 小事不出网格: a grid worker fixed it at once
    case verifyPass = "verify_pass"              // 核查通过
    case verifyFail = "verify_fail"              // 核查不通过 → 返工
    case evaluate                  // the reporter rates the result (via the query code)
    case returnVisit = "return_visit"            // 回访: an operator records the reporter's rating
    case reopen                    // after 不满意
    case close                     // 结案
    case archive                   // 归档
    case remind                    // 催办
    case supervise                 // 督办
    case note                      // an internal note
    case mergedIn = "merged_in"    // on the master: a duplicate was folded in
    case overdue                   // the sweep found the running deadline passed (the red lamp)

    public var nameZH: String {
        switch self {
        case .report: "上报"
        case .register: "立案"
        case .reject: "不予受理"
        case .merge: "合并"
        case .dispatch: "派遣"
        case .accept: "签收"
        case .returnCase: "退回"
        case .requestExtension: "申请延期"
        case .approveExtension: "批准延期"
        case .denyExtension: "驳回延期"
        case .requestEscalation: "申请提级"
        case .escalate: "提级"
        case .pushDown: "下派"
        case .coHandle: "协办反馈"
        case .submitResult: "处置完毕"
        case .resolveOnSpot: "就地解决"
        case .verifyPass: "核查通过"
        case .verifyFail: "核查不通过(返工)"
        case .evaluate: "群众评价"
        case .returnVisit: "回访"
        case .reopen: "重新办理"
        case .close: "结案"
        case .archive: "归档"
        case .remind: "催办"
        case .supervise: "督办"
        case .note: "备注"
        case .mergedIn: "并入重复件"
        case .overdue: "超期亮红灯"
        }
    }

    public var nameEN: String {
        rawValue.replacingOccurrences(of: "_", with: " ").capitalized
    }

    /// Shown on the reporter's tracking page; the rest is internal working.
    public var isPublic: Bool {
        switch self {
        case .report, .register, .reject, .merge, .dispatch, .accept, .submitResult, .resolveOnSpot,
             .verifyPass, .evaluate, .returnVisit, .reopen, .close, .archive, .escalate:
            true
        default:
            false
        }
    }
}
