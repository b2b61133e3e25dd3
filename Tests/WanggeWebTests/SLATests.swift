import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Records what the notifier was asked to send.
final class RecordingNotifier: Notifier, @unchecked Sendable {
    private let lock = NSLock()
    private var store: [NoticeMessage] = []
    var messages: [NoticeMessage] { lock.withLock { store } }
    func deliver(_ messages: [NoticeMessage]) async { lock.withLock { store += messages } }
}

final class SLATests: XCTestCase {
    /// Monday 2026-11-23 09:00 in Shanghai.
    static let monday = Date(timeIntervalSince1970: 1_795_395_600)

    func reportAndDispatch(_ t: TestContext, to department: String = "330110-CG") async throws -> String {
        let spot = try t.centre(of: "330110001001-01")
        let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "categoryCode": "0105",
                                    "location": ["lat": spot.lat, "lon": spot.lon]])
        let code = try XCTUnwrap(r.json["code"] as? String)
        let dispatcher = try await t.token("dispatcher-dh")
        try await t.act(code, "register", token: dispatcher)
        try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": department])
        return code
    }

    func testEveryCaseCarriesDeadlinesAndAWarning() async throws {
        try await withApp { t in
            t.clock.now = Self.monday
            let spot = try t.centre(of: "330110001001-01")
            let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(r.json["code"] as? String)
            let dispatcher = try await t.token("dispatcher-dh")
            var c = try await t.caseJSON(code, token: dispatcher)
            let accept = try XCTUnwrap((c["deadlines"] as? [String: Any])?["accept"] as? [String: Any])
            XCTAssertEqual(accept["dueAt"] as? String, "2026-11-23T02:00:00Z", "1 hour after the 09:00 report")
            XCTAssertEqual(c["warning"] as? String, "none")
            t.clock.advance(50 * 60)
            c = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(c["warning"] as? String, "yellow")
            c = try await t.act(code, "register", token: dispatcher)
            let deadlines = try XCTUnwrap(c["deadlines"] as? [String: Any])
            XCTAssertEqual((deadlines["accept"] as? [String: Any])?["met"] as? Bool, true)
            XCTAssertEqual((deadlines["resolve"] as? [String: Any])?["dueAt"] as? String, "2026-11-26T01:50:00Z", "3 working days")
            XCTAssertEqual(c["warning"] as? String, "none", "the resolve clock has only just started")

            // Colour filters and per-area counts.
            t.clock.advance(2 * 86400 + 3600) // Wednesday 10:50: over 50% of three working days
            let blue = try await t.api(.GET, "/api/v1/cases?warning=blue", token: dispatcher).body.json()
            XCTAssertEqual((blue["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String }, [code])
            XCTAssertEqual((blue["items"] as? [[String: Any]])?.first?["warning"] as? String, "blue", "the queue colours a case as its page does")
            let page = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(page["warning"] as? String, "blue")
            let red = try await t.api(.GET, "/api/v1/cases?warning=red", token: dispatcher).body.json()
            XCTAssertEqual((red["items"] as? [[String: Any]])?.count, 0)
            let counts = try await t.api(.GET, "/api/v1/warnings?within=330110001", token: dispatcher).body.jsonArray()
            let hubin = try XCTUnwrap(counts.first { $0["orgCode"] as? String == "330110001001" })
            XCTAssertEqual(hubin["blue"] as? Int, 1)
            XCTAssertEqual(counts.count, 3, "one row per community of the township")

            // A report in 柳岸社区: its hour to be accepted turns yellow, then red. Each community's
            // counts are the colours its cases' own pages show.
            let willow = try t.centre(of: "330110001002-01")
            let late = try await t.report(["channel": "citizen", "description": "井盖松动有响声", "location": ["lat": willow.lat, "lon": willow.lon]])
            let lateCode = try XCTUnwrap(late.json["code"] as? String)
            for (step, lateColour) in [(50 * 60, "yellow"), (15 * 60, "red")] {
                t.clock.advance(TimeInterval(step))
                var expected: [String: [String: Int]] = [:]
                for (caseCode, community) in [(code, "330110001001"), (lateCode, "330110001002")] {
                    let colour = try await t.caseJSON(caseCode, token: dispatcher)["warning"] as? String ?? "?"
                    if caseCode == lateCode { XCTAssertEqual(colour, lateColour) }
                    expected[community, default: [:]][colour, default: 0] += 1
                }
                let rows = try await t.api(.GET, "/api/v1/warnings?within=330110001", token: dispatcher).body.jsonArray()
                XCTAssertEqual(rows.count, 3)
                for row in rows {
                    let community = try XCTUnwrap(row["orgCode"] as? String)
                    for colour in ["red", "yellow", "blue"] {
                        XCTAssertEqual(row[colour] as? Int, expected[community]?[colour] ?? 0, "\(community) \(colour) after \(step) s")
                    }
                }
            }
            let grid = try await t.api(.GET, "/api/v1/warnings?within=330110001002-01", token: dispatcher).body.jsonArray()
            XCTAssertEqual(grid.map { [$0["orgCode"] as? String, "\($0["red"] ?? "")"] }, [["330110001002-01", "1"]], "a grid counts its own cases")
        }
    }

    /// The overview's figures: each state's cases in the viewer's area, and how many of its open
    /// cases are overdue (red), as the cases' own pages colour them.
    func testTheOverviewCountsEachStateAndTheOverdueInTheViewersArea() async throws {
        try await withApp { t in
            t.clock.now = Self.monday
            let dispatcher = try await t.token("dispatcher")
            var codes: [(code: String, township: String)] = []
            for grid in ["330110001001-01", "330110001002-01", "330110001001-02", "330110002001-01", "330110002001-01", "330110001001-01"] {
                let spot = try t.centre(of: grid)
                let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
                codes.append((try XCTUnwrap(r.json["code"] as? String), String(grid.prefix(9))))
            }
            try await t.act(codes[1].code, "register", token: dispatcher)
            try await t.act(codes[2].code, "register", token: dispatcher)
            try await t.act(codes[2].code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
            // Finished cases are counted where they finish, not read from the cases.
            try await t.act(codes[4].code, "reject", token: dispatcher, ["note": "不属于受理范围"])
            try await t.act(codes[5].code, "reject", token: dispatcher, ["note": "不属于受理范围"])
            t.clock.advance(2 * 3600) // the reports' hour to be accepted is over
            func figures(_ username: String) async throws -> [String: Int] {
                var browser = Browser()
                try await t.signIn(username, &browser)
                let (status, page, _) = try await t.get("/overview", &browser)
                XCTAssertEqual(status, .ok)
                let items = page.components(separatedBy: "<ul class=\"figures\">").last?.components(separatedBy: "</ul>").first ?? ""
                var result: [String: Int] = [:]
                for item in items.components(separatedBy: "<li").dropFirst() {
                    let number = item.components(separatedBy: "<span class=\"n\">").last?.components(separatedBy: "</span>")
                    guard let value = number?.first.flatMap({ Int($0) }),
                          let label = number?.last?.components(separatedBy: "</li>").first?.trimmingCharacters(in: .whitespaces) else { continue }
                    result[label] = value
                }
                return result
            }
            var red: [String: Int] = [:]
            for (code, township) in codes where try await t.caseJSON(code, token: dispatcher)["warning"] as? String == "red" {
                red[township, default: 0] += 1
            }
            XCTAssertGreaterThan(red["330110001"] ?? 0, 0, "an unaccepted report is overdue after two hours")
            let county = try await figures("leader")
            XCTAssertEqual(county[CaseState.reported.nameZH], 2, "\(county)")
            XCTAssertEqual(county[CaseState.registered.nameZH], 1)
            XCTAssertEqual(county[CaseState.dispatched.nameZH], 1)
            XCTAssertEqual(county[CaseState.archived.nameZH], 0)
            XCTAssertEqual(county[CaseState.rejected.nameZH], 2)
            XCTAssertEqual(county["超期"], red.values.reduce(0, +))
            let township = try await figures("leader-dh")
            XCTAssertEqual(township[CaseState.reported.nameZH], 1, "南山镇's report is not 东湖街道's: \(township)")
            XCTAssertEqual(township[CaseState.registered.nameZH], 1)
            XCTAssertEqual(township[CaseState.rejected.nameZH], 1)
            XCTAssertEqual(township["超期"], red["330110001"])

            // Each open case's marker on the map has the colour of its own page.
            let markers = try await Self.markerColours(t, as: "leader")
            for (code, _) in codes where ![codes[4].code, codes[5].code].contains(code) {
                let colour = try await t.caseJSON(code, token: dispatcher)["warning"] as? String
                XCTAssertEqual(markers[code], colour, "[\(t.database)] \(code)")
            }
            XCTAssertEqual(markers.count, 4, "the rejected cases are not on the map")
        }
    }

    /// With red set before the deadline, a marker and a queue's row take the colour of the case's clocks, as
    /// its page does, not the stored deadline's.
    func testAMarkerAndAQueueRowAreRedWhenRedComesBeforeTheDeadline() async throws {
        try await withApp { t in
            t.clock.now = Self.monday
            t.app.wanggeConfig.warningThresholds = WarningThresholds(blue: 0.5, yellow: 0.8, red: 0.95)
            await t.app.invalidateSLAContext()
            let dispatcher = try await t.token("dispatcher")
            let spot = try t.centre(of: "330110001001-01")
            let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(r.json["code"] as? String)
            t.clock.advance(58 * 60) // 58 of the hour to be accepted: 97%
            let page = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(page["warning"] as? String, "red")
            let markers = try await Self.markerColours(t, as: "leader")
            XCTAssertEqual(markers[code], "red", "[\(t.database)]")
            let queue = try await t.api(.GET, "/api/v1/cases?queue=to_register", token: dispatcher).body.json()
            let row = (queue["items"] as? [[String: Any]])?.first { $0["code"] as? String == code }
            XCTAssertEqual(row?["warning"] as? String, "red", "[\(t.database)] \(queue)")
        }
    }

    /// The colour of each marker drawn on the overview's map, by case code (as few markers are, one by one).
    static func markerColours(_ t: TestContext, as username: String) async throws -> [String: String] {
        var browser = Browser()
        try await t.signIn(username, &browser)
        let page = try await t.get("/overview", &browser).1
        var markers: [String: String] = [:]
        for dot in page.components(separatedBy: "<circle class=\"marker ").dropFirst() {
            let colour = dot.components(separatedBy: "\"").first ?? "?"
            let code = dot.components(separatedBy: "<title>").dropFirst().first?.components(separatedBy: "</title>").first ?? "?"
            markers[code] = colour
        }
        return markers
    }

    func testAnApprovedExtensionMovesTheDeadlineInTheAPI() async throws {
        try await withApp { t in
            t.clock.now = Self.monday
            let code = try await reportAndDispatch(t, to: "330110-RS")
            let rs = try await t.token("handler-rs")
            try await t.act(code, "accept", token: rs)
            let dispatcher = try await t.token("dispatcher-dh")
            let before = try await t.caseJSON(code, token: dispatcher)
            let due = ((before["deadlines"] as? [String: Any])?["resolve"] as? [String: Any])?["dueAt"] as? String
            try await t.act(code, "request_extension", token: rs, ["note": "需调取工资台账", "extensionHours": 24])
            let after = try await t.act(code, "approve_extension", token: dispatcher)
            let moved = ((after["deadlines"] as? [String: Any])?["resolve"] as? [String: Any])?["dueAt"] as? String
            let formatter = ISO8601DateFormatter()
            XCTAssertEqual(formatter.date(from: moved!)!.timeIntervalSince(formatter.date(from: due!)!), 24 * 3600)
            let events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
            XCTAssertTrue(events.contains { $0["action"] as? String == "approve_extension" })
        }
    }

    /// A live clock has fractions of a second, which the row's deadline column and the stored clocks
    /// keep in two different floating-point forms: read back, they differed in the last bits, the mark
    /// took that for a new deadline and put its own red lamp out, and every sweep marked the case
    /// overdue again (an event and notices a minute).
    func testACaseReportedAtAnOddMomentIsMarkedOverdueOnce() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher")
            var marked: [String] = []
            for fraction in [0.123456, 0.987654321, 0.5000001, 0.333333333] {
                t.clock.now = Self.monday.addingTimeInterval(fraction)
                let spot = try t.centre(of: "330110001001-01")
                let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
                marked.append(try XCTUnwrap(r.json["code"] as? String))
            }
            t.clock.advance(61 * 60)
            let first = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(Set(first.markedOverdue), Set(marked))
            for _ in 0..<2 {
                t.clock.advance(60)
                let again = try await t.app.sweep(now: t.clock.now)
                XCTAssertEqual(again.markedOverdue, [], "marked again")
            }
            for code in marked {
                let events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
                XCTAssertEqual(events.filter { $0["action"] as? String == "overdue" }.count, 1, code)
                let page = try await t.caseJSON(code, token: dispatcher)
                XCTAssertEqual(page["warning"] as? String, "red")
            }
        }
    }

    func testTheSweepMarksAndEscalatesExactlyOnce() async throws {
        try await withApp { t in
            let notifier = RecordingNotifier()
            t.app.notifier = notifier
            t.clock.now = Self.monday
            let code = try await reportAndDispatch(t)
            // Nobody accepts within the hour: the red lamp lights.
            t.clock.advance(61 * 60)
            let first = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(first.markedOverdue, [code])
            let second = try await t.app.sweep(now: t.clock.now)
            XCTAssertTrue(second.ran)
            XCTAssertEqual(second.markedOverdue, [], "a second run marks nothing again")
            let dispatcher = try await t.token("dispatcher")
            var events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
            XCTAssertEqual(events.filter { $0["action"] as? String == "overdue" }.count, 1)
            XCTAssertEqual((events.last?["actor"] as? [String: Any])?["role"] as? String, "system")
            // The deadline that ran out: dispatched at 09:00 Shanghai with an hour to accept.
            XCTAssertEqual(events.last?["note"] as? String, "时限已到:2026-11-23T02:00:00Z")
            let lit = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual(lit["warning"] as? String, "red")

            // Red for longer than the configured time (24 h): escalated to the county, once.
            t.clock.advance(23 * 3600)
            let early = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(early.escalated, [])
            t.clock.advance(3600)
            let late = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(late.escalated, [code])
            let again = try await t.app.sweep(now: t.clock.now)
            XCTAssertEqual(again.escalated, [])
            let c = try await t.caseJSON(code, token: dispatcher)
            XCTAssertEqual((c["centre"] as? [String: Any])?["code"] as? String, "330110")
            XCTAssertEqual(c["state"] as? String, "registered")
            events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
            XCTAssertEqual(events.filter { $0["action"] as? String == "escalate" }.count, 1)

            // Notices: the holder department and the township centre for the overdue, the county centre for the escalation.
            let overdueTo = Set(notifier.messages.filter { $0.kind == "overdue" }.map(\.username))
            XCTAssertEqual(overdueTo, ["handler-cg", "dispatcher-dh"])
            let escalatedTo = Set(notifier.messages.filter { $0.kind == "escalated" }.map(\.username))
            XCTAssertEqual(escalatedTo, ["dispatcher"])
            try await t.assertEventLogsReplay()
        }
    }

    func testTwoInstancesSweepingAtOnceMarkEachCaseOnce() async throws {
        try await withApp { t in
            t.clock.now = Self.monday
            var codes: [String] = []
            for _ in 0..<4 { codes.append(try await reportAndDispatch(t)) }
            t.clock.advance(2 * 3600)
            let now = t.clock.now
            let sla = try await t.app.slaContext(on: t.app.db)
            // Two instances with their own leases race; then both run again after the lease expired.
            let reports = try await withThrowingTaskGroup(of: SLASweep.Report.self) { group in
                for name in ["instance-a", "instance-b"] {
                    group.addTask { try await SLASweep(db: t.app.db, instanceID: name).tick(now: now, sla: sla) }
                }
                var all: [SLASweep.Report] = []
                for try await report in group { all.append(report) }
                return all
            }
            XCTAssertEqual(reports.filter(\.ran).count, 1, "only the lease holder runs the tick")
            XCTAssertEqual(Set(reports.flatMap(\.markedOverdue)), Set(codes))
            let later = now.addingTimeInterval(120)
            let b = try await SLASweep(db: t.app.db, instanceID: "instance-b").tick(now: later, sla: sla)
            XCTAssertTrue(b.ran, "an expired lease passes to another instance")
            XCTAssertEqual(b.markedOverdue, [])
            let overdueEvents = try await CaseEventModel.query(on: t.app.db).filter(\.$action == "overdue").count()
            XCTAssertEqual(overdueEvents, 4)
        }
    }

    func testNotificationsReachTheRightPeopleOnly() async throws {
        try await withApp { t in
            let code = try await reportAndDispatch(t, to: "330110-CG")
            let cg = try await t.token("handler-cg")
            let sj = try await t.token("handler-sj")
            var inbox = try await t.api(.GET, "/api/v1/notifications", token: cg).body.json()
            XCTAssertEqual(inbox["unread"] as? Int, 1)
            let item = try XCTUnwrap((inbox["items"] as? [[String: Any]])?.first)
            XCTAssertEqual(item["kind"] as? String, "assignment")
            XCTAssertEqual(item["caseCode"] as? String, code)
            let other = try await t.api(.GET, "/api/v1/notifications", token: sj).body.json()
            XCTAssertEqual(other["unread"] as? Int, 0, "another department hears nothing")

            // A reminder and supervision go to the holder; a return goes to the centre.
            let dispatcher = try await t.token("dispatcher-dh")
            try await t.act(code, "remind", token: dispatcher)
            let leader = try await t.token("leader")
            try await t.act(code, "supervise", token: leader)
            inbox = try await t.api(.GET, "/api/v1/notifications?unread=true", token: cg).body.json()
            XCTAssertEqual(Set((inbox["items"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []), ["assignment", "reminder", "supervision"])
            try await t.act(code, "return", token: cg, ["note": "不属于本局职责"])
            let centre = try await t.api(.GET, "/api/v1/notifications", token: dispatcher).body.json()
            XCTAssertEqual((centre["items"] as? [[String: Any]])?.first?["kind"] as? String, "returned")
            let county = try await t.api(.GET, "/api/v1/notifications", token: t.token("dispatcher")).body.json()
            XCTAssertEqual(county["unread"] as? Int, 0, "the county centre does not hold this township's case")

            // Reading clears the count, and only one's own notices can be read.
            let id = try XCTUnwrap(item["id"] as? Int)
            let foreign = try await t.status(.POST, "/api/v1/notifications/\(id)/read", token: sj)
            XCTAssertEqual(foreign, .notFound)
            let mine = try await t.status(.POST, "/api/v1/notifications/\(id)/read", token: cg)
            XCTAssertEqual(mine, .noContent)
            let readAll = try await t.status(.POST, "/api/v1/notifications/read-all", token: cg)
            XCTAssertEqual(readAll, .noContent)
            inbox = try await t.api(.GET, "/api/v1/notifications", token: cg).body.json()
            XCTAssertEqual(inbox["unread"] as? Int, 0)
        }
    }

    func testAdministratorsAddAYearAndSetRules() async throws {
        try await withApp { t in
            let admin = try await t.token("admin")
            let shipped = try await t.api(.GET, "/api/v1/calendar/2026", token: admin).body.json()
            XCTAssertEqual((shipped["workdays"] as? [String])?.contains("2026-10-10"), true)
            let missing = try await t.status(.GET, "/api/v1/calendar/2027", token: admin)
            XCTAssertEqual(missing, .notFound)
            var status: HTTPStatus = .internalServerError
            try await t.app.test(.PUT, "/api/v1/calendar/2027", beforeRequest: { req in
                req.headers.bearerAuthorization = BearerAuthorization(token: admin)
                req.headers.contentType = .json
                req.body = ByteBuffer(string: #"{"year": 2027, "holidays": ["2027-01-01"], "workdays": []}"#)
            }, afterResponse: { res async in status = res.status })
            XCTAssertEqual(status, .ok)
            let added = try await t.api(.GET, "/api/v1/calendar/2027", token: admin).body.json()
            XCTAssertEqual(added["holidays"] as? [String], ["2027-01-01"])

            let rule = try await t.status(.PUT, "/api/v1/sla-rules", token: admin, json: AnyEncodable([
                "categoryCode": "0105", "acceptMinutes": 20, "resolveWorkingDays": 5, "replyWorkingDays": 2,
            ] as [String: AnyEncodableValue]))
            XCTAssertEqual(rule, .noContent)
            t.clock.now = Self.monday
            let spot = try t.centre(of: "330110001001-01")
            let r = try await t.report(["channel": "citizen", "description": "路灯不亮已经一周", "categoryCode": "0105",
                                        "location": ["lat": spot.lat, "lon": spot.lon]])
            let c = try await t.caseJSON(try XCTUnwrap(r.json["code"] as? String), token: t.token("dispatcher-dh"))
            XCTAssertEqual(((c["deadlines"] as? [String: Any])?["accept"] as? [String: Any])?["dueAt"] as? String, "2026-11-23T01:20:00Z")
            let dispatcher = try await t.token("dispatcher")
            let denied = try await t.status(.PUT, "/api/v1/sla-rules", token: dispatcher, json: AnyEncodable([
                "acceptMinutes": 20, "resolveWorkingDays": 5, "replyWorkingDays": 2,
            ] as [String: AnyEncodableValue]))
            XCTAssertEqual(denied, .forbidden)
        }
    }
}

/// Mixed JSON values for request bodies.
enum AnyEncodableValue: Encodable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String), int(Int)
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(s): try c.encode(s)
        case let .int(i): try c.encode(i)
        }
    }
}
