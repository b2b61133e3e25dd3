import FluentKit
import Foundation
import NIOCore
import Vapor
import WanggeDomain
import XCTest
@testable import WanggePersistence
@testable import WanggeWeb

/// What an app gets back when it acts on a case, and how it may send the action.
final class TransitionAnswerTests: XCTestCase {
    /// The answer is built from the rules' view the step wrote, not read back from the row: it must be the case
    /// exactly as the same person reads it afterwards, at every step of the loop and for a merged duplicate.
    func testEachAnswerIsTheCaseAsItIsReadAfterwards() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            var codes: [String] = []
            for text in ["湖滨路口井盖缺失,夜里很危险", "湖滨路口的井盖不见了"] {
                let intake = try await t.report(["channel": "citizen", "description": text, "categoryCode": "0101",
                                                 "location": ["lat": spot.lat, "lon": spot.lon], "reporterPhone": "13912345678"])
                codes.append(try XCTUnwrap(intake.json["code"] as? String, "\(intake.json)"))
            }
            let (dispatcher, cg, zj, grid1) = try await (t.token("dispatcher-dh"), t.token("handler-cg"), t.token("handler-zj"), t.token("grid1"))
            let steps: [(code: String, action: String, token: String, extra: [String: Any])] = [
                (codes[0], "register", dispatcher, ["version": 1]),
                (codes[1], "register", dispatcher, [:]),
                (codes[1], "merge", dispatcher, ["masterCode": codes[0], "note": "同一井盖"]),
                (codes[0], "dispatch", dispatcher, ["departmentCode": "330110-CG", "coDepartmentCodes": ["330110-ZJ"]]),
                (codes[0], "accept", cg, [:]),
                (codes[0], "co_handle", zj, ["note": "住建局已核实井座完好"]),
                (codes[0], "submit_result", cg, ["result": "已补装新井盖并加固"]),
                (codes[0], "verify_pass", grid1, [:]),
                (codes[0], "note", dispatcher, ["note": "回访前备注"]),
            ]
            for step in steps {
                let answer = try await t.act(step.code, step.action, token: step.token, step.extra)
                let read = try await t.caseJSON(step.code, token: step.token)
                XCTAssertEqual(answer as NSDictionary, read as NSDictionary, "[\(t.database)] \(step.action) on \(step.code)")
            }
            let merged = try await t.caseJSON(codes[1], token: dispatcher)
            XCTAssertEqual(merged["masterCode"] as? String, codes[0], "the duplicate names its master")
            let master = try await t.caseJSON(codes[0], token: dispatcher)
            XCTAssertEqual(master["state"] as? String, "verified")
        }
    }

    /// JSON is read from the body's bytes whatever the spelling of its type; a form and a multipart body still
    /// act; a body of the wrong shape is refused by name, and nothing is written.
    func testAnActionIsReadFromJSONOfAnySpellingAFormOrMultipart() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let intake = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮已经一周", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(intake.json["code"] as? String)
            let dispatcher = try await t.token("dispatcher")
            let path = "/api/v1/cases/\(code)/transitions"
            // Escaped as `JSONSerialization` and many apps write Chinese: \uXXXX, with a charset on the type.
            let escaped = ByteBuffer(string: #"{"action": "note", "note": "\u5df2\u8054\u7cfb\u62a5\u4fe1\u4eba", "version": 1}"#)
            let json = try await t.raw(.POST, path, token: dispatcher, body: escaped,
                                       contentType: HTTPMediaType(type: "Application", subType: "JSON", parameters: ["charset": "utf-8"]))
            XCTAssertEqual(json.status, .ok, "\(json.json)")
            XCTAssertEqual(json.json["version"] as? Int, 2)
            let form = try await t.raw(.POST, path, token: dispatcher, body: ByteBuffer(string: "action=note&note=%E5%B7%B2%E6%B4%BE%E4%BA%BA%E6%9F%A5%E7%9C%8B"),
                                       contentType: .urlEncodedForm)
            XCTAssertEqual(form.status, .ok, "\(form.json)")
            let multipart = try await t.multipart(path, token: dispatcher, fields: [("action", "register"), ("note", "立案")], files: [])
            XCTAssertEqual(multipart.status, .ok, "\(multipart.json)")
            XCTAssertEqual(multipart.json["state"] as? String, "registered")

            for (label, body) in [("a number for the action", #"{"action": 5}"#), ("a version as text", #"{"action": "note", "version": "3"}"#),
                                  ("an unknown action", #"{"action": "teleport"}"#), ("broken JSON", #"{"action": "note", "note": "#)] {
                let refused = try await t.raw(.POST, path, token: dispatcher, body: ByteBuffer(string: body), contentType: .json)
                XCTAssertEqual(refused.status, .badRequest, "[\(t.database)] \(label): \(refused.json)")
                XCTAssertNotNil((refused.json["error"] as? [String: Any])?["message"], "[\(t.database)] \(label) is explained: \(refused.json)")
            }
            let events = try await t.api(.GET, "/api/v1/cases/\(code)/events", token: dispatcher).body.jsonArray()
            XCTAssertEqual(events.map { $0["action"] as? String ?? "" }, ["report", "note", "note", "register"], "the refused bodies wrote nothing")
            XCTAssertEqual(events.map { $0["note"] as? String ?? "" }, ["", "已联系报信人", "已派人查看", "立案"])
        }
    }

    /// The answer's clocks are those the step stored, kept beside their text (`CaseModel.deadlines`): they must be
    /// what the row's column holds, read back, after every step that starts, stops or moves a clock.
    func testTheClocksKeptAfterAStepAreTheOnesTheRowHolds() async throws {
        try await withApp { t in
            let app = t.app
            let spot = try t.centre(of: "330110001001-01")
            let intake = try await t.report(["channel": "citizen", "description": "湖滨路口井盖缺失,夜里很危险", "categoryCode": "0101",
                                             "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(intake.json["code"] as? String, "\(intake.json)")
            func actor(_ username: String) async throws -> Actor {
                let user = try await UserModel.query(on: app.db).filter(\.$username == username).first()
                return try await SessionAuthenticator.actor(for: try XCTUnwrap(user), on: app.db)
            }
            let (dispatcher, handler, grid) = (try await actor("dispatcher-dh"), try await actor("handler-cg"), try await actor("grid1"))
            let sla = try await app.slaContext(on: app.db)
            let transitions = CaseTransitionService(db: app.db)
            let steps: [(TransitionInput, Actor)] = [
                (TransitionInput(action: "register"), dispatcher),
                (TransitionInput(action: "dispatch", departmentCode: "330110-CG"), dispatcher),
                (TransitionInput(action: "accept"), handler),
                (TransitionInput(action: "submit_result", result: "已补装新井盖"), handler),
                (TransitionInput(action: "verify_pass"), grid),
            ]
            for (n, (input, who)) in steps.enumerated() {
                t.clock.advance(3_600)
                let done = try await transitions.perform(code: code, input, actor: who, now: t.clock.now, sla: sla)
                let found = try await CaseModel.query(on: app.db).filter(\.$code == code).first()
                let reread = try XCTUnwrap(found)
                XCTAssertEqual(done.model.deadlines, CaseDeadlines(stored: reread.deadlinesJSON), "[\(t.database)] step \(n): \(input.action)")
                XCTAssertEqual(done.model.deadlines, reread.deadlines, "[\(t.database)] step \(n)")
            }
        }
    }
}
