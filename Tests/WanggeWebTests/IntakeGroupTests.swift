import Foundation
import SQLKit
import WanggeDomain
import WanggePersistence
import Synchronization
import XCTest
import XCTVapor

@testable import WanggeWeb

/// Reports that arrive together are written together (`GroupCommit`, `IntakeWriter`); each must
/// still come out whole, numbered, chained and counted as if it had been written alone.
final class IntakeGroupTests: XCTestCase {
    private actor Groups {
        var sizes: [Int] = []
        func record(_ items: [Int]) { sizes.append(items.count) }
    }

    private struct Refused: Error {}

    /// Each item submitted by a caller of its own, all at once; each item's answer.
    private func submitAtOnce(_ items: ClosedRange<Int>, to commits: GroupCommit<Int, Int>,
                              write: @escaping @Sendable ([Int]) async throws -> [Int]) async throws -> [Int: Int] {
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for item in items {
                group.addTask { (item, try await commits.submit(item, write: write)) }
            }
            var all: [Int: Int] = [:]
            for try await (item, answer) in group { all[item] = answer }
            return all
        }
    }

    /// Callers who arrive while a write is under way share the next one, and each gets its own answer.
    func testCallersArrivingDuringAWriteShareTheNextOne() async throws {
        let commits = GroupCommit<Int, Int>(maxGroup: 8)
        let groups = Groups()
        let write: @Sendable ([Int]) async throws -> [Int] = { items in
            await groups.record(items)
            try await Task.sleep(nanoseconds: 20_000_000)
            return items.map { $0 * 10 }
        }
        let answers = try await submitAtOnce(1...30, to: commits, write: write)
        XCTAssertEqual(answers, Dictionary(uniqueKeysWithValues: (1...30).map { ($0, $0 * 10) }), "each caller gets the answer for its own item")
        let sizes = await groups.sizes
        XCTAssertEqual(sizes.reduce(0, +), 30, "every item written exactly once: \(sizes)")
        XCTAssertLessThan(sizes.count, 30, "callers that waited were written together: \(sizes)")
        XCTAssertLessThanOrEqual(sizes.max() ?? 0, 8, "no group is larger than allowed: \(sizes)")
    }

    private actor InFlight {
        var now = 0
        var most = 0
        func enter() { now += 1; most = max(most, now) }
        func leave() { now -= 1 }
    }

    /// With two writers (PostgreSQL) a second group is written while the first is, never a third; with one
    /// (SQLite's single writer) never two. Every caller still gets its own answer, once.
    func testGroupsAreWrittenAtOnceUpToTheWriters() async throws {
        for writers in [1, 2] {
            let commits = GroupCommit<Int, Int>(maxGroup: 4, writers: writers)
            let inFlight = InFlight()
            let groups = Groups()
            let write: @Sendable ([Int]) async throws -> [Int] = { items in
                await inFlight.enter()
                await groups.record(items)
                try await Task.sleep(nanoseconds: 20_000_000)
                await inFlight.leave()
                return items.map { $0 + 1_000 }
            }
            let answers = try await submitAtOnce(1...40, to: commits, write: write)
            XCTAssertEqual(answers, Dictionary(uniqueKeysWithValues: (1...40).map { ($0, $0 + 1_000) }))
            let sizes = await groups.sizes
            XCTAssertEqual(sizes.reduce(0, +), 40, "every item written once: \(sizes)")
            let most = await inFlight.most
            XCTAssertEqual(most, writers, "groups written at once with \(writers) writer(s)")
        }
    }

    @TaskLocal private static var callerLane: Int?

    /// The write runs in a task of its own, and must still see a caller's task-local values: a
    /// web request binds the SQLite connection to write through that way.
    func testTheWriteSeesACallersTaskLocals() async throws {
        let commits = GroupCommit<Int, Int?>(maxGroup: 4, executor: WriterThread.shared)
        let write: @Sendable ([Int]) async throws -> [Int?] = { items in
            try await Task.sleep(nanoseconds: 2_000_000)
            return items.map { _ in Self.callerLane }
        }
        let lanes = try await withThrowingTaskGroup(of: Int?.self) { group in
            for item in 1...12 {
                group.addTask { try await Self.$callerLane.withValue(7) { try await commits.submit(item, write: write) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(lanes, Array(repeating: 7, count: 12))
    }

    /// A group that fails is written again one by one: only the bad item fails.
    func testABadItemFailsAloneAndTheOthersAreWritten() async throws {
        let commits = GroupCommit<Int, Int>(maxGroup: 16)
        let write: @Sendable ([Int]) async throws -> [Int] = { items in
            try await Task.sleep(nanoseconds: 5_000_000)
            if items.contains(13) { throw Refused() }
            return items
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for item in 1...20 {
                group.addTask { (item, (try? await commits.submit(item, write: write)) == item) }
            }
            var all: [Int: Bool] = [:]
            for await (item, written) in group { all[item] = written }
            return all
        }
        XCTAssertEqual(outcomes.filter { !$0.value }.map(\.key), [13])
        XCTAssertEqual(outcomes.count, 20)
    }

    /// Many people report at once (citizens, a grid worker fixing things on the spot, one with a
    /// photo): every report gets its own gapless code, its own query code, a chain that verifies,
    /// an event log that replays, and the rollups equal a recount.
    func testReportsArrivingTogetherAreEachWrittenWhole() async throws {
        try await withApp { t in
            let app = t.app
            let spot = try t.centre(of: "330110001001-01")
            let worker = try await t.token("grid1")
            var bodies: [(token: String?, body: [String: Any])] = (1...24).map { n in
                (nil, ["channel": "citizen", "description": "并发上报第\(n)号:路灯不亮", "categoryCode": "0101",
                       "location": ["lat": spot.lat, "lon": spot.lon]])
            }
            bodies += (1...4).map { n in
                (worker, ["channel": "patrol", "description": "巡查第\(n)处:井盖松动", "categoryCode": "0101", "resolvedOnSpot": true,
                          "result": "已当场固定", "location": ["lat": spot.lat, "lon": spot.lon]])
            }
            let payloads = try bodies.map { ($0.token, try JSONSerialization.data(withJSONObject: $0.body)) }
            let photoBody = multipartBody([("channel", "citizen"), ("description", "并发上报:带照片的垃圾堆放")],
                                          files: [Upload(name: "photos[]", filename: "a.jpg", contentType: "image/jpeg",
                                                         data: Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 3, count: 64))])
            let replies = try await withThrowingTaskGroup(of: (Bool, HTTPStatus, Data).self) { group in
                for (token, data) in payloads {
                    group.addTask {
                        var reply: (Bool, HTTPStatus, Data) = (false, .internalServerError, Data())
                        try await app.test(.POST, "/api/v1/cases", beforeRequest: { req in
                            if let token { req.headers.bearerAuthorization = BearerAuthorization(token: token) }
                            req.headers.contentType = .json
                            req.body = ByteBuffer(data: data)
                        }, afterResponse: { res async in
                            reply = (false, res.status, Data(buffer: res.body))
                        })
                        return reply
                    }
                }
                group.addTask {
                    var reply: (Bool, HTTPStatus, Data) = (true, .internalServerError, Data())
                    try await app.test(.POST, "/api/v1/cases", beforeRequest: { req in
                        req.headers.contentType = photoBody.1
                        req.body = photoBody.0
                    }, afterResponse: { res async in
                        reply = (true, res.status, Data(buffer: res.body))
                    })
                    return reply
                }
                var all: [(Bool, HTTPStatus, Data)] = []
                for try await reply in group { all.append(reply) }
                return all.map { ($0.0, $0.1, (try? JSONSerialization.jsonObject(with: $0.2) as? [String: Any]) ?? [:]) }
            }
            XCTAssertEqual(replies.filter { $0.1 == .created }.count, 29, "\(replies.filter { $0.1 != .created })")
            let codes = replies.compactMap { $0.2["code"] as? String }
            XCTAssertEqual(Set(codes).count, 29, "every report has its own code")
            let sequences = codes.compactMap { Int($0.split(separator: "-").last ?? "") }.sorted()
            XCTAssertEqual(sequences, Array(1...29), "codes are numbered without gaps or repeats")
            XCTAssertEqual(replies.filter { $0.2["state"] as? String == "handled" }.count, 4, "the on-the-spot reports are handled")

            for (_, _, reply) in replies {
                let queryCode = try XCTUnwrap(reply["queryCode"] as? String)
                let tracked = try await t.track(queryCode)
                XCTAssertEqual(tracked.json["code"] as? String, reply["code"] as? String, "a query code finds its own report")
            }
            let photoCase = try XCTUnwrap(replies.first { $0.0 }?.2["code"] as? String)
            let dispatcher = try await t.token("dispatcher")
            let shown = try await t.caseJSON(photoCase, token: dispatcher)
            XCTAssertEqual((shown["attachments"] as? [Any])?.count, 1, "the photo is kept with its report")

            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [], "every chain verifies")
            XCTAssertEqual(audit.checked, 29)
            try await t.assertEventLogsReplay()
            let differences = try await t.rollupDifferences()
            XCTAssertEqual(differences, [], "[\(t.database)] the rollups written for the group equal a recount")
        }
    }

    /// A drawn query code that another case already has does not cost the reporter their report:
    /// it is taken again under a code drawn anew.
    func testADrawnQueryCodeThatIsTakenIsDrawnAgain() async throws {
        try await withApp { t in
            let app = t.app
            let sla = try await app.slaContext(on: app.db)
            let service = CaseIntakeService(db: app.db, timeZone: app.wanggeConfig.timeZone)
            let input = IntakeInput(channel: "citizen", description: "路灯不亮,晚上看不清路", categoryCode: "0101")
            _ = try await service.intake(input, by: Reporter(actor: nil), locatedGrid: "330110001001-01", photos: [], now: Date(), sla: sla,
                                         queryCode: "TAKEN2345X")
            let before = try await CaseModel.query(on: app.db).count()
            let draws = Mutex(["TAKEN2345X", "FRESH2345X"])
            let second = try await service.intake(input, by: Reporter(actor: nil), locatedGrid: "330110001001-01", photos: [], now: Date(),
                                                  sla: sla, drawQueryCode: { draws.withLock { $0.removeFirst() } })
            XCTAssertEqual(second.queryCode, "FRESH2345X", "[\(t.database)]")
            let after = try await CaseModel.query(on: app.db).count()
            XCTAssertEqual(after, before + 1, "[\(t.database)] the report is written once")
            let tracked = try await CaseQueryService(db: app.db).track(queryCode: "FRESH2345X", cipher: nil)
            XCTAssertEqual(tracked.code, second.code)
        }
    }

    /// Two reports that clash (the same query code, which the database keeps unique) arrive among
    /// others: a group holding both fails, is written again one report at a time, and only the
    /// second of the two is refused, as a conflict, with nothing of it left behind. The writer goes on.
    func testAClashingReportIsRefusedAloneAndLeavesNothing() async throws {
        try await withApp { t in
            let app = t.app
            let sla = try await app.slaContext(on: app.db)
            let sqlite = t.database == .sqlite
            let service = CaseIntakeService(db: app.db, timeZone: app.wanggeConfig.timeZone,
                                            commits: IntakeCommits(executor: sqlite ? WriterThread.shared : nil))
            let direct = sqlite ? try SQLiteWriteConnection(path: app.wanggeConfig.sqlitePath, purpose: .server) : nil
            let before = try await CaseModel.query(on: app.db).count()
            func report(_ n: Int, queryCode: String) async -> Result<String, any Error> {
                let input = IntakeInput(channel: "citizen", description: "同时上报第\(n)件:路面坑洼积水", categoryCode: "0101")
                do {
                    let result = try await service.intake(input, by: Reporter(actor: nil), locatedGrid: "330110001001-01", photos: [],
                                                          now: Date(), sla: sla, queryCode: queryCode)
                    return .success(result.code)
                } catch {
                    return .failure(error)
                }
            }
            let outcomes = await SQLiteWriteConnection.$current.withValue(direct) {
                await withTaskGroup(of: (Int, Result<String, any Error>).self) { group in
                    for n in 1...12 {
                        group.addTask { (n, await report(n, queryCode: n == 4 || n == 9 ? "CLASH2345X" : "GROUP\(n)2345")) }
                    }
                    var all: [Int: Result<String, any Error>] = [:]
                    for await (n, outcome) in group { all[n] = outcome }
                    return all
                }
            }
            let refused = outcomes.compactMap { n, outcome -> (Int, any Error)? in
                if case .failure(let error) = outcome { return (n, error) }
                return nil
            }
            XCTAssertEqual(refused.count, 1, "[\(t.database)] only one of the clashing pair is refused: \(refused)")
            XCTAssertTrue(refused.allSatisfy { $0.0 == 4 || $0.0 == 9 }, "\(refused)")
            for (_, error) in refused {
                XCTAssertEqual(WanggeErrorMiddleware.appError(from: error).kind, .conflict, "answered as a conflict, not a fault: \(error)")
            }
            let after = try await CaseModel.query(on: app.db).count()
            XCTAssertEqual(after, before + 11, "every other report is written, and nothing of the refused one")
            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [])
            let differences = try await t.rollupDifferences()
            XCTAssertEqual(differences, [], "[\(t.database)] the refused report left no counts behind")

            let next = await SQLiteWriteConnection.$current.withValue(direct) { await report(13, queryCode: "AFTER23456") }
            XCTAssertNoThrow(try next.get(), "the writer goes on after a failed group")
        }
    }
}
