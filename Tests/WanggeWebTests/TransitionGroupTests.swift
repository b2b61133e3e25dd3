import Foundation
import NIOCore
import WanggeDomain
import XCTest
import XCTVapor

@testable import WanggePersistence
@testable import WanggeWeb

/// Transitions that arrive together are written together (`TransitionWriter`). Each must still come
/// out whole (its row, its chained event, its photos, departments, notices, rollups and gauges), and
/// one that lost the race for its case must be told so and leave nothing behind.
final class TransitionGroupTests: XCTestCase {
    private func newCase(_ t: TestContext, _ n: Int) async throws -> String {
        let spot = try t.centre(of: "330110001001-01")
        let r = try await t.report(["channel": "citizen", "description": "同时处置第\(n)件:人行道井盖破损", "categoryCode": "0101",
                                    "location": ["lat": spot.lat, "lon": spot.lon]])
        XCTAssertEqual(r.status, .created, "\(r.json)")
        return try XCTUnwrap(r.json["code"] as? String)
    }

    /// One transition as a phone or browser sends it: JSON, or a form with a photo.
    private struct Request: Sendable {
        let code: String
        let token: String
        let action: String
        let body: ByteBuffer
        let type: HTTPMediaType

        init(code: String, token: String, _ fields: [String: Any]) throws {
            (self.code, self.token, action) = (code, token, fields["action"] as? String ?? "")
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields))
            type = .json
        }

        init(code: String, token: String, form fields: [(String, String)], photo: Upload) {
            (self.code, self.token, action) = (code, token, fields.first { $0.0 == "action" }?.1 ?? "")
            (body, type) = multipartBody(fields, files: [photo])
        }
    }

    func testTransitionsArrivingTogetherAreEachWrittenWholeAndALateOneLeavesNothing() async throws {
        try await withApp { t in
            let app = t.app
            let dispatcher = try await t.token("dispatcher-dh")
            let cg = try await t.token("handler-cg")
            var codes: [String] = []
            for n in 1...7 { codes.append(try await newCase(t, n)) }
            // Two cases the handler has accepted, to send their results in.
            for code in codes[5...6] {
                try await t.act(code, "register", token: dispatcher)
                try await t.act(code, "dispatch", token: dispatcher, ["departmentCode": "330110-CG"])
                try await t.act(code, "accept", token: cg)
            }
            try await t.act(codes[1], "register", token: dispatcher)
            let raced = codes[4]
            let racedBefore = try await t.caseJSON(raced, token: dispatcher)
            let racedVersion = try XCTUnwrap(racedBefore["version"] as? Int)

            var requests = [
                try Request(code: codes[0], token: dispatcher, ["action": "register", "categoryCode": "0102"]),
                try Request(code: codes[1], token: dispatcher, ["action": "dispatch", "departmentCode": "330110-CG",
                                                                "coDepartmentCodes": ["330110-ZJ"]]),
                try Request(code: codes[2], token: dispatcher, ["action": "reject", "note": "不属于受理范围"]),
                try Request(code: codes[3], token: dispatcher, ["action": "note", "note": "已电话联系反映人"]),
                Request(code: codes[5], token: cg, form: [("action", "submit_result"), ("result", "已更换井盖")],
                        photo: Upload(name: "photos[]", filename: "fixed.png", contentType: "image/png", data: tinyPNG)),
                try Request(code: codes[6], token: cg, ["action": "submit_result", "result": "已加固井座"]),
            ]
            // Three people act on one case, each having seen the same version: one of them is first.
            for note in ["第一位的备注", "第二位的备注", "第三位的备注"] {
                requests.append(try Request(code: raced, token: dispatcher, ["action": "note", "note": note, "version": racedVersion]))
            }

            // A write under way holds the queue, so the transitions that arrive meanwhile are written as one group.
            // The transitions are sent only once that write has begun, so none of them joins it.
            let commits = try XCTUnwrap(app.storage[TransitionCommitsKey.self])
            let (begun, begin) = AsyncStream<Void>.makeStream()
            let holding = Task {
                try await commits.submit(PendingTransition(steps: [], notices: [])) { items in
                    begin.yield()
                    try await Task.sleep(nanoseconds: 300_000_000)
                    return items.map { _ in .stale }
                }
            }
            for await _ in begun { break }
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPStatus, String).self) { group in
                for (index, request) in requests.enumerated() {
                    group.addTask {
                        var reply: (Int, HTTPStatus, String) = (index, .internalServerError, "")
                        try await app.test(.POST, "/api/v1/cases/\(request.code)/transitions", beforeRequest: { req in
                            req.headers.bearerAuthorization = BearerAuthorization(token: request.token)
                            req.headers.contentType = request.type
                            req.body = request.body
                        }, afterResponse: { res async in reply = (index, res.status, res.body.string) })
                        return reply
                    }
                }
                var all: [(Int, HTTPStatus, String)] = []
                for try await reply in group { all.append(reply) }
                return all.sorted { $0.0 < $1.0 }
            }
            _ = try await holding.value

            for (index, status, body) in replies.prefix(6) {
                XCTAssertEqual(status, .ok, "[\(t.database)] \(requests[index].action) on \(requests[index].code): \(body)")
            }
            let raceStatuses = replies.suffix(3).map(\.1)
            XCTAssertEqual(raceStatuses.filter { $0 == .ok }.count, 1, "[\(t.database)] \(raceStatuses)")
            XCTAssertEqual(raceStatuses.filter { $0 == .conflict }.count, 2, "[\(t.database)] \(raceStatuses)")
            for (_, status, body) in replies.suffix(3) where status == .conflict {
                XCTAssertTrue(body.contains("case.stale"), body)
            }

            // Each case is as its action left it.
            let states = try await codes.asyncMap { try await t.caseJSON($0, token: dispatcher)["state"] as? String }
            XCTAssertEqual(states, ["registered", "dispatched", "rejected", "reported", "reported", "handled", "handled"], "[\(t.database)]")
            let registered = try await t.caseJSON(codes[0], token: dispatcher)
            XCTAssertEqual((registered["category"] as? [String: Any])?["code"] as? String, "0102")
            let result = try await t.caseJSON(codes[5], token: cg)
            XCTAssertEqual((result["attachments"] as? [Any])?.count, 1, "the photo is kept with the result")
            XCTAssertEqual(result["result"] as? String, "已更换井盖")

            // The dispatched case reaches both departments' queues, and the handler's inbox.
            let newQueue = try await t.casePage("queue=department_new", token: cg).codes
            XCTAssertEqual(newQueue, [codes[1]])
            let zj = try await t.token("handler-zj")
            let coQueue = try await t.casePage("queue=co_handling", token: zj).codes
            XCTAssertEqual(coQueue, [codes[1]])
            let inbox = try await t.api(.GET, "/api/v1/notifications", token: cg).body.json()
            let assigned = (inbox["items"] as? [[String: Any]])?.filter { $0["kind"] as? String == "assignment" }.compactMap { $0["caseCode"] as? String }
            XCTAssertEqual(Set(assigned ?? []), Set([codes[1], codes[5], codes[6]]), "[\(t.database)] one notice per dispatch")

            // The race left one note, and nothing of the two that came too late.
            let events = try await t.api(.GET, "/api/v1/cases/\(raced)/events", token: dispatcher).body.jsonArray()
            XCTAssertEqual(events.map { $0["action"] as? String }, ["report", "note"], "[\(t.database)]")
            let raced2 = try await t.caseJSON(raced, token: dispatcher)
            XCTAssertEqual(raced2["version"] as? Int, racedVersion + 1)

            let audit = try await EventHashChain.verify(on: app.db)
            XCTAssertEqual(audit.findings, [], "[\(t.database)] every chain verifies")
            try await t.assertEventLogsReplay()
            let differences = try await t.rollupDifferences()
            XCTAssertEqual(differences, [], "[\(t.database)] the rollups and gauges written for the group equal a recount")
        }
    }
}

private extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
