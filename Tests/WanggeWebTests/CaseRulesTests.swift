import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Scoping, duplicates and merging, concurrency, bad input and the work queues.
final class CaseRulesTests: XCTestCase {
    func newCase(_ t: TestContext, grid: String = "330110001001-01", category: String = "0101",
                 description: String = "路边井盖破损需要更换") async throws -> (code: String, queryCode: String) {
        let spot = try t.centre(of: grid)
        let r = try await t.report(["channel": "citizen", "description": description, "categoryCode": category,
                                    "location": ["lat": spot.lat, "lon": spot.lon]])
        XCTAssertEqual(r.status, .created, "\(r.json)")
        return (try XCTUnwrap(r.json["code"] as? String), try XCTUnwrap(r.json["queryCode"] as? String))
    }

    func testOtherTownshipsAndDepartmentsSeeNothingAndWrongRolesAreRefused() async throws {
        try await withApp { t in
            let (code, _) = try await newCase(t)
            let otherTownship = try await t.token("dispatcher-ns")
            let hidden = try await t.status(.GET, "/api/v1/cases/\(code)", token: otherTownship)
            XCTAssertEqual(hidden, .notFound)
            try await t.act(code, "register", token: otherTownship, expect: .notFound)
            let otherDepartment = try await t.token("handler-sj")
            let notTheirs = try await t.status(.GET, "/api/v1/cases/\(code)", token: otherDepartment)
            XCTAssertEqual(notTheirs, .notFound)

            // A grid worker of the case's grid sees it but may not register it.
            let grid1 = try await t.token("grid1")
            try await t.act(code, "register", token: grid1, expect: .forbidden)
            // The right person in the wrong state: 409.
            let dispatcher = try await t.token("dispatcher-dh")
            try await t.act(code, "close", token: dispatcher, expect: .conflict)
            try await t.act(code, "fly", token: dispatcher, expect: .badRequest)
            // Leaders read but do not register.
            let leader = try await t.token("leader")
            try await t.act(code, "register", token: leader, expect: .forbidden)
            let visible = try await t.status(.GET, "/api/v1/cases/\(code)", token: leader)
            XCTAssertEqual(visible, .ok)
            let anonymous = try await t.status(.GET, "/api/v1/cases/\(code)")
            XCTAssertEqual(anonymous, .unauthorized)
        }
    }

    func testDuplicateHintsAndMergingMakeTheQueryCodeFollowTheMaster() async throws {
        try await withApp { t in
            let first = try await newCase(t)
            let dispatcher = try await t.token("dispatcher-dh")
            try await t.act(first.code, "register", token: dispatcher)
            // A second report of the same problem at the same spot, taken at the window: a hint comes back.
            let spot = try t.centre(of: "330110001001-01")
            let second = try await t.report(["channel": "window", "description": "那个井盖还是坏的", "categoryCode": "0101",
                                             "location": ["lat": spot.lat + 0.0002, "lon": spot.lon]], token: dispatcher)
            XCTAssertEqual((second.json["duplicateHints"] as? [[String: Any]])?.compactMap { $0["code"] as? String }, [first.code])
            let secondCode = try XCTUnwrap(second.json["code"] as? String)
            let secondQuery = try XCTUnwrap(second.json["queryCode"] as? String)
            // Farther than 100 m, or another category: no hint.
            let far = try await t.report(["channel": "window", "description": "另一个井盖坏了", "categoryCode": "0101",
                                          "location": ["lat": spot.lat + 0.002, "lon": spot.lon]], token: dispatcher)
            XCTAssertEqual((far.json["duplicateHints"] as? [[String: Any]])?.count, 0)
            let hints = try await t.api(.GET, "/api/v1/cases/\(secondCode)/duplicates", token: dispatcher).body.jsonArray()
            XCTAssertEqual(hints.compactMap { $0["code"] as? String }, [first.code])

            try await t.act(secondCode, "merge", token: dispatcher, ["masterCode": secondCode], expect: .badRequest)
            let merged = try await t.act(secondCode, "merge", token: dispatcher, ["masterCode": first.code])
            XCTAssertEqual(merged["state"] as? String, "merged")
            XCTAssertEqual(merged["masterCode"] as? String, first.code)
            let master = try await t.caseJSON(first.code, token: dispatcher)
            XCTAssertEqual((master["counters"] as? [String: Any])?["merged"] as? Int, 1)
            // The second reporter's query code now shows the master case.
            let tracked = try await t.track(secondQuery)
            XCTAssertEqual(tracked.json["code"] as? String, first.code)
            try await t.assertEventLogsReplay()
            // The merged case is counted among the finished ones of its grid, village, township and county.
            let mergedCounts = try await FinishedCountModel.query(on: t.app.db).filter(\.$state == "merged").all()
            XCTAssertEqual(Set(mergedCounts.map(\.unitCode)), ["330110001001-01", "330110001001", "330110001", "330110", "330100"], "[\(t.database)]")
            XCTAssertTrue(mergedCounts.allSatisfy { $0.caseCount == 1 })
            let differences = try await t.rollupDifferences()
            XCTAssertEqual(differences, [], "[\(t.database)] what the merge moved equals a recount")
            // Taken at another township's window, the same report hints nothing of this township's open cases (the
            // first, the master): they are not in that dispatcher's lists. Here, the county's dispatcher is hinted it.
            let elsewhere = try await t.report(["channel": "window", "description": "东湖那边井盖坏了", "categoryCode": "0101",
                                                "location": ["lat": spot.lat + 0.0002, "lon": spot.lon]], token: try await t.token("dispatcher-ns"))
            XCTAssertEqual(elsewhere.status, .created, "\(elsewhere.json)")
            XCTAssertEqual((elsewhere.json["duplicateHints"] as? [[String: Any]])?.count, 0)
            let here = try await t.report(["channel": "window", "description": "东湖那边井盖坏了", "categoryCode": "0101",
                                           "location": ["lat": spot.lat + 0.0002, "lon": spot.lon]], token: try await t.token("dispatcher"))
            XCTAssertTrue(((here.json["duplicateHints"] as? [[String: Any]]) ?? []).contains { $0["code"] as? String == first.code })
        }
    }

    func testTwoDispatchersAtOnceOneWins() async throws {
        try await withApp { t in
            let (code, _) = try await newCase(t)
            let a = try await t.token("dispatcher")
            let b = try await t.token("dispatcher-dh")
            // Both saw version 1; the second to act is told someone was first.
            try await t.act(code, "register", token: a, ["version": 1])
            let late = try await t.act(code, "reject", token: b, ["version": 1, "note": "重复"], expect: .conflict)
            XCTAssertEqual((late["error"] as? [String: Any])?["code"] as? String, "case.stale")

            // Truly concurrent: many transitions racing on one case; exactly one of each pair succeeds.
            try await t.act(code, "dispatch", token: a, ["departmentCode": "330110-CG"])
            let handler = try await t.token("handler-cg")
            let version = try await t.caseJSON(code, token: a)["version"] as? Int ?? 0
            let app = t.app
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (token, action) in [(handler, "accept"), (a, "escalate")] {
                    group.addTask {
                        let body = try JSONSerialization.data(withJSONObject: ["action": action, "version": version])
                        var status: HTTPStatus = .internalServerError
                        try await app.test(.POST, "/api/v1/cases/\(code)/transitions", beforeRequest: { req in
                            req.headers.bearerAuthorization = BearerAuthorization(token: token)
                            req.headers.contentType = .json
                            req.body = ByteBuffer(data: body)
                        }, afterResponse: { res async in status = res.status })
                        return status
                    }
                }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            XCTAssertEqual(statuses.filter { $0 == .ok }.count, 1, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 1, "\(statuses)")
            let events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: a).body.jsonArray()
            XCTAssertEqual(events.count, 4, "report, register, dispatch and exactly one of the racing actions")
            try await t.assertEventLogsReplay()
        }
    }

    /// A category an administrator switched off takes no new reports, at once; switched on again, it does. A change
    /// another instance made (here written to the database behind this one) counts once this instance's copy of the
    /// catalog has outlived its lifetime (`CatalogNames`, five seconds; here shortened).
    func testAnInactiveCategoryTakesNoReports() async throws {
        try await withApp { t in
            let lifetime = Duration.milliseconds(300)
            t.app.storage[CatalogNamesKey.self] = RefreshingValue(lifetime: lifetime)
            let found = try await CategoryModel.query(on: t.app.db).filter(\.$code == "0101").first()
            let category = try XCTUnwrap(found)
            let admin = try await t.token("admin")
            func report() async throws -> (status: HTTPStatus, json: [String: Any]) {
                try await t.report(["channel": "citizen", "description": "井盖破损的问题", "categoryCode": "0101"])
            }
            let first = try await report()
            XCTAssertEqual(first.status, .created, "the server keeps the catalog from here on")
            for active in [false, true] {
                let changed = try await t.api(.PATCH, "/api/v1/categories/0101", token: admin,
                                              json: CategoryInput(code: "0101", name: category.name, active: active))
                XCTAssertEqual(changed.status, .ok, changed.body)
                let after = try await report()
                XCTAssertEqual(after.status, active ? .created : .badRequest, "active: \(active)")
                if !active { XCTAssertEqual((after.json["error"] as? [String: Any])?["code"] as? String, "case.category") }
            }
            for active in [false, true] {
                let stored = try await CategoryModel.query(on: t.app.db).filter(\.$code == "0101").first()
                let row = try XCTUnwrap(stored)
                row.active = active
                try await row.save(on: t.app.db)
                try await Task.sleep(for: lifetime * 2)
                let after = try await report()
                XCTAssertEqual(after.status, active ? .created : .badRequest, "changed behind the server, active: \(active)")
            }
        }
    }

    func testBadIntakeIsRefusedAndLeavesNothingBehind() async throws {
        try await withApp { t in
            let before = try await CaseModel.query(on: t.app.db).count()
            let bad: [([String: Any], String)] = [
                (["channel": "citizen", "description": "短"], "case.description"),
                (["channel": "citizen", "description": String(repeating: "长", count: 2001)], "case.description"),
                (["channel": "citizen", "description": "   \n  "], "case.description"),
                (["channel": "fax", "description": "通过传真反映问题"], "case.channel"),
                (["channel": "citizen", "description": "类别不存在的问题", "categoryCode": "9999"], "case.category"),
                (["channel": "citizen", "description": "坐标越界的问题", "location": ["lat": 95, "lon": 120]], "case.location"),
                (["channel": "citizen", "description": "电话格式不对的问题", "reporterPhone": "call me"], "case.phone"),
                (["channel": "citizen", "description": "紧急程度不对的问题", "urgency": "asap"], "case.urgency"),
                (["channel": "citizen", "description": 12345], "invalid_body"),
                (["description": "没有渠道的问题"], "invalid_body"),
            ]
            for (body, code) in bad {
                let r = try await t.report(body)
                XCTAssertEqual(r.status, .badRequest, "\(body)")
                XCTAssertEqual((r.json["error"] as? [String: Any])?["code"] as? String, code, "\(body) → \(r.json)")
            }
            // Channels that need a role.
            let patrolAnonymous = try await t.report(["channel": "patrol", "description": "巡查发现的问题"])
            XCTAssertEqual(patrolAnonymous.status, .unauthorized)
            let citizen = try await t.token("citizen")
            let patrolByCitizen = try await t.report(["channel": "patrol", "description": "巡查发现的问题"], token: citizen)
            XCTAssertEqual(patrolByCitizen.status, .forbidden)

            // A "JPEG" that is not one: refused, and neither a case nor a file remains.
            let fake = try await t.multipart("/api/v1/cases", fields: [("channel", "citizen"), ("description", "附一张照片的问题")],
                                             files: [Upload(name: "photos[]", filename: "../../etc/passwd.jpg", contentType: "image/jpeg", data: Data("hello".utf8))])
            XCTAssertEqual(fake.status, .badRequest)
            XCTAssertEqual((fake.json["error"] as? [String: Any])?["code"] as? String, "photo.not_image")
            // A good photo with a bad description: the photo written first is removed again.
            let orphan = try await t.multipart("/api/v1/cases", fields: [("channel", "citizen"), ("description", "短")],
                                               files: [Upload(name: "photos[]", filename: "a.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(orphan.status, .badRequest)
            let after = try await CaseModel.query(on: t.app.db).count()
            XCTAssertEqual(before, after)
            let photos = (t.app.wanggeConfig.dataDirectory as NSString).appendingPathComponent("photos")
            let files = (FileManager.default.enumerator(atPath: photos)?.allObjects as? [String] ?? []).filter { $0.contains(".") }
            XCTAssertEqual(files, [], "no orphan files")
        }
    }

    func testAPointOutsideEveryGridIsAcceptedAndFlagged() async throws {
        try await withApp { t in
            let r = try await t.report(["channel": "citizen", "description": "城外的道路坑洼", "location": ["lat": 31.2, "lon": 121.5]])
            XCTAssertEqual(r.status, .created)
            XCTAssertEqual(r.json["outsideGrids"] as? Bool, true)
            XCTAssertNil(r.json["gridCode"] as? String)
            let dispatcher = try await t.token("dispatcher")
            let queue = try await t.api(.GET, "/api/v1/cases?queue=to_register", token: dispatcher).body.json()
            XCTAssertEqual((queue["items"] as? [[String: Any]])?.count, 1, "the county centre gets it")
            // The dispatcher assigns a grid while registering.
            let code = try XCTUnwrap(r.json["code"] as? String)
            let c = try await t.act(code, "register", token: dispatcher, ["gridCode": "330110003001-01"])
            XCTAssertEqual((c["grid"] as? [String: Any])?["code"] as? String, "330110003001-01")
        }
    }

    /// A report's terms wait in a queue until the indexer takes them in a batch; search finds the
    /// case the moment it is reported, and by the same rule (every term of the query) before and after.
    func testSearchFindsReportsBeforeAndAfterTheirTermsAreIndexed() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            func search(_ q: String) async throws -> Set<String> {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return Set(try await t.casePage("q=\(encoded)&limit=100", token: dispatcher).codes)
            }
            func expect(_ q: String, _ expected: Set<String>, line: UInt = #line) async throws {
                let found = try await search(q)
                XCTAssertEqual(found, expected, "search \(q)", line: line)
            }
            func expectQueued(_ expected: Int, line: UInt = #line) async throws {
                let n = try await queued()
                XCTAssertEqual(n, expected, "queued", line: line)
            }
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            func queued() async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: CaseSearchTerms.queue)").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            try await t.app.indexSearchTerms()
            let (manhole, _) = try await newCase(t, description: "琥珀巷窨井缺盖 PIPE12")
            let (noise, _) = try await newCase(t, category: "0201", description: "翡翠湾深夜鼓乐扰民")
            try await expectQueued(2)
            // Found while queued: every term of the query, a whole term each (pipe1 is no term of PIPE12's case).
            try await expect("窨井", [manhole])
            try await expect("窨井缺盖", [manhole])
            try await expect("pipe12", [manhole])
            try await expect("PIPE1", [])
            try await expect("窨井鼓乐", [])
            try await expect("鼓乐扰民", [noise])

            try await t.app.indexSearchTerms()
            try await expectQueued(0)
            try await expect("窨井缺盖", [manhole])
            try await expect("pipe12", [manhole])
            try await expect("PIPE1", [])
            try await expect("窨井鼓乐", [])
            try await expect("鼓乐扰民", [noise])

            // One indexed, one queued: both found.
            let (another, _) = try await newCase(t, description: "琥珀巷窨井松动")
            try await expect("窨井", [manhole, another])

            // Indexers running at once (several instances on PostgreSQL) write each case's terms once.
            var reported: [String] = []
            for i in 0..<30 { reported.append(try await newCase(t, description: "第\(i)号玳瑁灯不亮").code) }
            let indexer = SearchTermIndexer(db: t.app.db, batch: 7)
            async let first = indexer.drain()
            async let second = indexer.drain()
            let third = try await t.app.indexSearchTerms()
            let concurrent = try await first + second + third
            // A drain stops at a short batch, also one short because another took part of it; the next tick takes the rest.
            let rest = try await t.app.indexSearchTerms()
            XCTAssertEqual(concurrent + rest, 31)
            try await expectQueued(0)
            try await expect("玳瑁", Set(reported))
            // PostgreSQL's term rows, each once; SQLite's full-text index shows a case once however often it was given it.
            if t.database == .postgres {
                let duplicates = try await sql.raw("SELECT COUNT(*) AS n FROM (SELECT case_id, term FROM case_search_terms GROUP BY case_id, term HAVING COUNT(*) > 1) AS d")
                    .first()?.decode(column: "n", as: Int.self)
                XCTAssertEqual(duplicates, 0)
            }
        }
    }

    /// A queue row whose terms are not text (written by hand: SQLite keeps whatever a column is given) is
    /// dropped, as the index always did, and the reports queued beside it are indexed and found: the index
    /// does not stop at that row run after run.
    func testAQueuedRowWhoseTermsAreNotTextDoesNotStopTheSearchIndex() async throws {
        try await withApp { t in
            guard t.database == .sqlite else { return }  // PostgreSQL's text column takes nothing else
            let sql = try XCTUnwrap(t.app.db as? any SQLDatabase)
            try await t.app.indexSearchTerms()
            let (first, _) = try await newCase(t, description: "琥珀巷窨井缺盖")
            let (second, _) = try await newCase(t, description: "翡翠湾窨井松动")
            // First in the queue's order, so that the batch reads it with the two reports' rows.
            try await sql.raw("INSERT INTO \(ident: CaseSearchTerms.queue) (case_id, terms) VALUES (0, x'FFFE00')").run()

            let indexed = try await t.app.indexSearchTerms()
            XCTAssertEqual(indexed, 3)
            let queued = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: CaseSearchTerms.queue)").first()?.decode(column: "n", as: Int.self)
            XCTAssertEqual(queued, 0)
            let dispatcher = try await t.token("dispatcher-dh")
            let found = try await t.casePage("q=\("窨井".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=100", token: dispatcher).codes
            XCTAssertEqual(Set(found), [first, second])
        }
    }

    /// A dispatcher pages through the results of a search two at a time: newest first, each case
    /// once, the indexed and the not yet indexed together, with the other filters kept, whichever
    /// term of the query is the rarer.
    func testSearchResultsPageNewestFirstAcrossIndexedAndQueuedReports() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            func pages(_ q: String, _ filters: String = "") async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                var seen: [String] = []
                var after: String?
                repeat {
                    let page = try await t.api(.GET, "/api/v1/cases?q=\(encoded)&limit=2\(filters)" + (after.map { "&after=\($0)" } ?? ""),
                                               token: dispatcher).body.json()
                    let items = page["items"] as? [[String: Any]] ?? []
                    XCTAssertLessThanOrEqual(items.count, 2)
                    seen += items.compactMap { $0["code"] as? String }
                    after = page["next"] as? String
                } while after != nil && seen.count <= 20
                return seen
            }
            // 路灯 is in every lamp report; 闪烁 (flickering) in every third only.
            var lamps: [(code: String, flickers: Bool, category: String)] = []
            for i in 0..<9 {
                let category = i % 2 == 0 ? "0101" : "0201"
                let (code, _) = try await newCase(t, category: category, description: i % 3 == 0 ? "柏树街路灯闪烁\(i)" : "柏树街路灯不亮\(i)")
                lamps.append((code, i % 3 == 0, category))
                _ = try await newCase(t, description: "柏树街井盖松动\(i)")
                if i == 4 { try await t.app.indexSearchTerms() }
                t.clock.advance(60)
            }
            let newestFirst = lamps.reversed()
            let all = try await pages("路灯")
            XCTAssertEqual(all, newestFirst.map(\.code), "five indexed and four queued lamp reports, each once")
            let flickering = try await pages("路灯闪烁")
            XCTAssertEqual(flickering, newestFirst.filter(\.flickers).map(\.code))
            let inCategory = try await pages("柏树街路灯", "&category=0201")
            XCTAssertEqual(inCategory, newestFirst.filter { $0.category == "0201" }.map(\.code))

            try await t.app.indexSearchTerms()
            let indexed = try await pages("路灯")
            XCTAssertEqual(indexed, all, "the same pages once every report is indexed")
            let flickeringIndexed = try await pages("闪烁 路灯")
            XCTAssertEqual(flickeringIndexed, flickering)
            // On SQLite each match is checked against the subcategory's index entries before its row is read.
            let inCategoryIndexed = try await pages("路灯 柏树街", "&category=0201")
            XCTAssertEqual(inCategoryIndexed, inCategory)
            let inTopCategory = try await pages("柏树街路灯", "&category=01")
            XCTAssertEqual(inTopCategory, newestFirst.filter { $0.category == "0101" }.map(\.code))
            let none = try await pages("路灯松动")
            XCTAssertEqual(none, [])
        }
    }

    /// A search within a queue or open states finds, a page at a time, the stored cases of those states with the text,
    /// the oldest too, indexed or still queued. (On SQLite the walk stops at the oldest case in those states.)
    func testASearchAmongOpenCasesFindsTheirOldest() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            var codes: [String] = []
            for round in 0..<2 {
                for _ in 0..<9 {
                    codes.append(try await newCase(t, description: "松柏路路灯不亮").code)
                    t.clock.advance(60)
                }
                let batch = Array(codes.suffix(9))
                // batch[0] stays reported; batch[1] registered; batch[2] dispatched to CG with ZJ co-handling; batch[3] in
                // CG's hands; batch[4] dispatched to CG and returned (registered again); batch[5] dispatched to grid1's grid;
                // batch[6] handled by CG, waiting for its check; batch[7] checked, waiting for a rating; batch[8] rated.
                for code in batch.dropFirst() { try await t.act(code, "register", token: dispatcher) }
                try await t.act(batch[2], "dispatch", token: dispatcher, ["departmentCode": "330110-CG", "coDepartmentCodes": ["330110-ZJ"]])
                for code in [batch[3], batch[4]] + batch.suffix(3) {
                    try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
                }
                try await t.act(batch[5], "dispatch", token: dispatcher, ["gridCode": "330110001001-01"])
                for code in [batch[3]] + batch.suffix(3) { try await t.act(code, "accept", token: cg) }
                try await t.act(batch[4], "return", token: cg, ["note": "不属于城管职责"])
                for code in batch.suffix(3) { try await t.act(code, "submit_result", token: cg, ["result": "已更换灯泡"]) }
                for code in batch.suffix(2) { try await t.act(code, "verify_pass", token: dispatcher) }
                try await t.act(batch[8], "return_visit", token: dispatcher, ["rating": "satisfied"])
                if round == 0 { try await t.app.indexSearchTerms() }
            }
            let stored = try await CaseModel.query(on: t.app.db).sort(\.$id, .descending).all().filter { $0.description.contains("松柏路") }
            func inState(_ states: CaseState...) -> [String] { stored.filter { states.map(\.rawValue).contains($0.state) }.map(\.code) }
            func search(_ filters: String, token: String) async throws -> [String] {
                try await t.casePages("q=%E6%9D%BE%E6%9F%8F%E8%B7%AF&limit=1\(filters)", token: token)
            }
            func both(_ i: Int) -> [String] { [codes[9 + i], codes[i]] }
            let zj = try await t.token("handler-zj")
            let grid1 = try await t.token("grid1")
            for indexed in [false, true] {
                if indexed { try await t.app.indexSearchTerms() }
                let label = "[\(t.database)] indexed: \(indexed)"
                let toRegister = try await search("&queue=to_register", token: dispatcher)
                XCTAssertEqual(toRegister, both(0), label)
                XCTAssertEqual(toRegister, inState(.reported), label)
                let toDispatch = try await search("&queue=to_dispatch", token: dispatcher)
                XCTAssertEqual(toDispatch, inState(.registered), label)
                XCTAssertEqual(toDispatch.last, codes[1], label)
                let dispatched = try await search("&status=dispatched", token: dispatcher)
                XCTAssertEqual(dispatched, [codes[14], codes[11], codes[5], codes[2]], label)
                let open = try await search("&status=reported,dispatched,in_progress", token: dispatcher)
                XCTAssertEqual(open, inState(.reported, .dispatched, .inProgress), label)
                // Each queue with states and the round's case in it, of both rounds.
                let queues = [("returned", dispatcher, 4), ("department_new", cg, 2), ("in_hand", cg, 3), ("co_handling", zj, 2),
                              ("grid_tasks", grid1, 5), ("verification", dispatcher, 6), ("awaiting_evaluation", dispatcher, 7),
                              ("to_close", dispatcher, 8)]
                for (queue, token, i) in queues {
                    let found = try await search("&queue=\(queue)", token: token)
                    XCTAssertEqual(found, both(i), "\(label) \(queue)")
                }
                let everything = try await search("", token: dispatcher)
                XCTAssertEqual(everything, stored.map(\.code), label)
            }
        }
    }

    /// A grid worker's search finds, newest first and a page at a time, the matching cases of their grid, those
    /// dispatched to it and their own reports elsewhere, and no other: indexed or still queued. (Their matches are
    /// checked against the ids they may see before any case's row is read.) Their list shows the same cases.
    func testAGridWorkersSearchAndListShowWhatTheyMaySee() async throws {
        try await withApp { t in
            let dispatcher = try await t.token("dispatcher-dh")
            let worker = try await t.token("grid1")
            func search(_ q: String, token: String) async throws -> [String] {
                try await t.casePages("q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&limit=1", token: token)
            }
            var visible: [String] = []
            var hidden: [String] = []
            for round in 0..<2 {
                visible.append(try await newCase(t, grid: "330110001001-01", description: "梧桐巷路灯不亮\(round)").code)
                hidden.append(try await newCase(t, grid: "330110001002-01", description: "梧桐巷路灯闪烁\(round)").code)
                let dispatched = try await newCase(t, grid: "330110001002-01", description: "梧桐巷路灯倒伏\(round)").code
                try await t.act(dispatched, "register", token: dispatcher)
                try await t.act(dispatched, "dispatch", token: dispatcher, ["gridCode": "330110001001-01"])
                visible.append(dispatched)
                let spot = try t.centre(of: "330110001002-01")
                let own = try await t.report(["channel": "patrol", "description": "巡查发现梧桐巷路灯损坏\(round)", "categoryCode": "0101",
                                              "location": ["lat": spot.lat, "lon": spot.lon]], token: worker)
                XCTAssertEqual(own.status, .created, "\(own.json)")
                visible.append(try XCTUnwrap(own.json["code"] as? String))
                _ = try await newCase(t, grid: "330110001001-01", description: "梧桐巷井盖松动\(round)")
                if round == 0 { try await t.app.indexSearchTerms() }
                t.clock.advance(60)
            }
            let queuedToo = try await search("梧桐巷路灯", token: worker)
            XCTAssertEqual(queuedToo, visible.reversed(), "three of each round, indexed and queued, newest first")
            let all = try await search("梧桐巷路灯", token: dispatcher)
            XCTAssertEqual(Set(all), Set(visible + hidden), "the township sees every one")
            try await t.app.indexSearchTerms()
            let indexed = try await search("路灯 梧桐巷", token: worker)
            XCTAssertEqual(indexed, visible.reversed())
            let flickering = try await search("闪烁", token: worker)
            XCTAssertEqual(flickering, [], "the other grid's own reports stay hidden")

            // Their list without a queue, a page at a time, whole and by category: the cases of their grid, those dispatched
            // to it and their own, as the stored cases say, newest first. (Read from their ids on SQLite.)
            func list(_ filters: String) async throws -> [String] {
                try await t.casePages("limit=2\(filters)", token: worker)
            }
            let stored = try await CaseModel.query(on: t.app.db).sort(\.$id, .descending).all().filter {
                $0.gridCode == "330110001001-01" || $0.assignedGridCode == "330110001001-01" || $0.reporterUsername == "grid1"
            }
            XCTAssertEqual(Set(visible).subtracting(stored.map(\.code)), [])
            let whole = try await list("")
            XCTAssertEqual(whole, stored.map(\.code))
            let byCategory = try await list("&category=0101")
            XCTAssertEqual(byCategory, stored.filter { $0.categoryCode == "0101" }.map(\.code))
            XCTAssertFalse(byCategory.isEmpty)
        }
    }

    func testQueuesFiltersSearchAndKeysetPaging() async throws {
        try await withApp { t in
            var codes: [String] = []
            for i in 0..<7 {
                let (code, _) = try await newCase(t, grid: i % 2 == 0 ? "330110001001-01" : "330110001002-01",
                                                  category: i < 4 ? "0101" : "0201", description: i < 4 ? "第\(i)号井盖缺失" : "夜间施工噪声扰民\(i)")
                codes.append(code)
                t.clock.advance(60)
            }
            let dispatcher = try await t.token("dispatcher-dh")
            // Newest first, three per page, every case once.
            let seen = try await t.casePages("queue=to_register&limit=3", token: dispatcher)
            XCTAssertEqual(seen, codes.reversed())

            func search(_ q: String) async throws -> [String] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return try await t.casePage("q=\(encoded)", token: dispatcher).codes
            }
            let manholes = try await search("井盖")
            XCTAssertEqual(Set(manholes), Set(codes.prefix(4)))
            let noise = try await search("噪声扰民")
            XCTAssertEqual(Set(noise), Set(codes.suffix(3)))
            let none = try await search("下水道")
            XCTAssertEqual(none, [])
            let byCode = try await search(codes[2])
            XCTAssertEqual(byCode, [codes[2]])

            // Inside one grid, a page at a time: its cases as stored, newest first, whole, by category and by text.
            // (On SQLite stepped through from the grid's index.)
            func pages(_ filters: String) async throws -> [String] {
                try await t.casePages("within=330110001001-01&limit=2\(filters)", token: dispatcher)
            }
            let inGrid = try await CaseModel.query(on: t.app.db).filter(\.$gridCode == "330110001001-01").sort(\.$id, .descending).all()
            XCTAssertEqual(Set(inGrid.map(\.code)).intersection(codes), Set([0, 2, 4, 6].map { codes[$0] }))
            let wholeGrid = try await pages("")
            XCTAssertEqual(wholeGrid, inGrid.map(\.code))
            let gridNoise = try await pages("&category=02")
            XCTAssertEqual(gridNoise, inGrid.filter { $0.categoryCode?.hasPrefix("02") == true }.map(\.code))
            XCTAssertFalse(gridNoise.isEmpty)
            let gridManholes = try await pages("&q=%E4%BA%95%E7%9B%96")
            XCTAssertEqual(gridManholes, [2, 0].map { codes[$0] })

            let inVillage = try await t.api(.GET, "/api/v1/cases?within=330110001002&category=02", token: dispatcher).body.json()
            XCTAssertEqual((inVillage["items"] as? [[String: Any]])?.count, 1, "one noise case in 柳岸社区")
            let bad = try await t.status(.GET, "/api/v1/cases?queue=nope", token: dispatcher)
            XCTAssertEqual(bad, .badRequest)
            let outside = try await t.status(.GET, "/api/v1/cases?within=330110002001", token: dispatcher)
            XCTAssertEqual(outside, .notFound)
        }
    }

    func testEscalationAndPushDownMoveTheCentre() async throws {
        try await withApp { t in
            let (code, _) = try await newCase(t)
            let township = try await t.token("dispatcher-dh")
            var c = try await t.act(code, "escalate", token: township)
            XCTAssertEqual((c["centre"] as? [String: Any])?["code"] as? String, "330110")
            // The township no longer runs it; the county does.
            try await t.act(code, "register", token: township, expect: .forbidden)
            let county = try await t.token("dispatcher")
            let queue = try await t.api(.GET, "/api/v1/cases?queue=to_register", token: county).body.json()
            XCTAssertEqual((queue["items"] as? [[String: Any]])?.count, 1)
            try await t.act(code, "push_down", token: county, ["targetOrgCode": "330111001"], expect: .badRequest) // not under the centre
            try await t.act(code, "push_down", token: county, ["targetOrgCode": "330110001001-01"], expect: .badRequest) // grids are dispatched to, not pushed down to
            c = try await t.act(code, "push_down", token: county, ["targetOrgCode": "330110001"])
            XCTAssertEqual((c["centre"] as? [String: Any])?["code"] as? String, "330110001")
            try await t.act(code, "register", token: township)
            try await t.assertEventLogsReplay()
        }
    }
}
