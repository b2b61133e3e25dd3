import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Hostile input on the write endpoints: always a clear 4xx, never a 500, nothing half-written,
/// and whatever is stored is shown escaped.
final class HostileInputTests: XCTestCase {
    func send(_ t: TestContext, _ method: HTTPMethod, _ path: String, token: String? = nil, body: Data, type: HTTPMediaType = .json) async throws -> (HTTPStatus, String) {
        let r = try await t.raw(method, path, token: token, body: ByteBuffer(data: body), contentType: type)
        return (r.status, String(describing: r.json))
    }

    func testMalformedOversizedAndMistypedBodies() async throws {
        try await withApp { t in
            let admin = try await t.token("admin")
            let dispatcher = try await t.token("dispatcher")
            let spot = try t.centre(of: "330110001001-01")
            let intake = try await t.report(["channel": "citizen", "description": "一个正常的反映问题", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(intake.json["code"] as? String)
            let before = try await CaseModel.query(on: t.app.db).count()
            let eventsBefore = try await CaseEventModel.query(on: t.app.db).count()
            let huge = String(repeating: "长", count: 100_000)
            let writes: [(HTTPMethod, String, String?)] = [
                (.POST, "/api/v1/cases", nil), (.POST, "/api/v1/cases/\(code)/transitions", dispatcher), (.POST, "/api/v1/org-units", admin),
                (.POST, "/api/v1/users", admin), (.POST, "/api/v1/departments", admin), (.POST, "/api/v1/categories", admin),
                (.POST, "/api/v1/auth/token", nil), (.PUT, "/api/v1/sla-rules", admin), (.POST, "/api/v1/open311-keys", admin),
                (.POST, "/api/v1/track/ABCDEFGHJK/evaluation", nil), (.PATCH, "/api/v1/org-units/330110001", admin),
            ]
            let bodies: [(String, Data)] = [
                ("malformed JSON", Data("{\"channel\": \"citizen\", \"description\":".utf8)),
                ("invalid UTF-8", Data([0x7B, 0x22, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC3, 0x28, 0x22, 0x7D])),
                ("wrong types", Data(#"{"channel": 5, "description": ["a"], "action": {"x": 1}, "name": 3, "code": true, "username": null}"#.utf8)),
                ("a 100,000-character string", try JSONSerialization.data(withJSONObject: [
                    "channel": "citizen", "description": huge, "action": "note", "note": huge, "name": huge, "code": huge,
                    "username": huge, "password": huge, "level": "village", "orgCode": "330110", "role": "leader", "rating": huge,
                    "categoryCode": huge])),
                ("an array", Data("[1, 2, 3]".utf8)),
                ("nothing", Data()),
            ]
            for (method, path, token) in writes {
                for (label, body) in bodies {
                    let (status, answer) = try await send(t, method, path, token: token, body: body)
                    XCTAssertTrue((400..<500).contains(Int(status.code)), "\(method) \(path) with \(label): \(status) \(answer.prefix(200))")
                }
                // More than the body limit.
                let (status, _) = try await send(t, method, path, token: token, body: Data(repeating: 0x20, count: 2 * 1024 * 1024))
                XCTAssertTrue([.payloadTooLarge, .badRequest].contains(status), "\(method) \(path) oversize: \(status)")
            }
            let after = try await CaseModel.query(on: t.app.db).count()
            let eventsAfter = try await CaseEventModel.query(on: t.app.db).count()
            XCTAssertEqual(before, after, "no case was half-written")
            XCTAssertEqual(eventsBefore, eventsAfter, "no event was appended")
        }
    }

    /// Text bodies must be UTF-8 whatever the spelling of their type; the type is read from the
    /// header's text (`HTTPHeaders.bodyType`), not parsed by Vapor.
    func testBrokenUTF8IsRefusedUnderEverySpellingOfATextType() async throws {
        let broken = Data([0x7B, 0x22, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        let types = [HTTPMediaType.json, HTTPMediaType(type: "application", subType: "json", parameters: ["charset": "utf-8"]),
                     HTTPMediaType(type: "Application", subType: "JSON"), .urlEncodedForm]
        try await withApp { t in
            for type in types {
                let r = try await t.raw(.POST, "/api/v1/cases", token: nil, body: ByteBuffer(data: broken), contentType: type)
                XCTAssertEqual(r.status, .badRequest, type.serialize())
                XCTAssertEqual((r.json["error"] as? [String: Any])?["code"] as? String, "body.utf8", type.serialize())
            }
        }
        for (header, type) in [(" Application/JSON ;charset=utf-8", "application/json"), ("multipart/form-data; boundary=x", "multipart/form-data")] {
            XCTAssertEqual(HTTPHeaders([("Content-Type", header)]).bodyType, type)
        }
        // Read from the bytes, it must be what Foundation's trimming and lower-casing give.
        for header in ["application/json", "\tTEXT/Plain\t; q=1", "  ", ";", "", "a;b;c", "Application/JSON\u{0}", "APPLICATION/X-WWW-FORM-URLENCODED ",
                       "\u{00A0}application/json\u{00A0}", "Ä/JSON", "application/jsón; charset=utf-8", "\u{3000}应用/json"] {
            XCTAssertEqual(HTTPHeaders([("Content-Type", header)]).bodyType, HTTPHeaders.bodyTypeOfUnicode(header), header)
        }
        XCTAssertNil(HTTPHeaders().bodyType)
    }

    func testSQLAndScriptPayloadsAreStoredAsTextAndShownEscaped() async throws {
        try await withApp { t in
            let payload = "'; DROP TABLE cases; -- <script>alert('x')</script><img src=x onerror=alert(1)>"
            let r = try await t.report(["channel": "citizen", "description": payload, "address": "\"><svg onload=alert(1)>"])
            XCTAssertEqual(r.status, .created)
            let code = try XCTUnwrap(r.json["code"] as? String)
            let stored = try await CaseModel.query(on: t.app.db).filter(\.$code == code).first()
            XCTAssertEqual(stored?.description, payload, "stored exactly, as text")
            // The same in the timeline's note and the reporter's name among the facts.
            try await t.act(code, "note", token: try await t.token("dispatcher"), ["note": payload])
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            let (_, page, _) = try await t.get("/cases/\(code)", &browser)
            XCTAssertFalse(page.contains("<script>alert"))
            XCTAssertFalse(page.contains("<img src=x"))
            XCTAssertFalse(page.contains("<svg onload"))
            XCTAssertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") || page.contains("&lt;script&gt;alert("))
            XCTAssertTrue(page.contains("<span class=\"note\">&#39;; DROP TABLE cases; -- &lt;script&gt;"), "the note in the timeline, escaped")
            XCTAssertTrue(page.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"), "the address among the facts, escaped")
            let (_, list, _) = try await t.get("/work?all=1", &browser)
            XCTAssertFalse(list.contains("<script>alert"))
            // And search with SQL in it is just a search.
            let token = try await t.token("dispatcher")
            let search = try await t.api(.GET, "/api/v1/cases?q=%27%3B%20DROP%20TABLE%20cases%3B%20--", token: token)
            XCTAssertEqual(search.status, .ok)
            let count = try await CaseModel.query(on: t.app.db).count()
            XCTAssertEqual(count, 1)
        }
    }

    func testHostileMultipartAndFileNames() async throws {
        try await withApp { t in
            let broken = "--xyz\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\ncitizen\r\n--xyz\r\nContent-Disp"
            let (status, _) = try await send(t, .POST, "/api/v1/cases", body: Data(broken.utf8),
                                             type: HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": "xyz"]))
            XCTAssertTrue((400..<500).contains(Int(status.code)), "\(status)")
            let noBoundary = try await send(t, .POST, "/api/v1/cases", body: Data("abc".utf8), type: HTTPMediaType(type: "multipart", subType: "form-data"))
            XCTAssertTrue((400..<500).contains(Int(noBoundary.0.code)), "\(noBoundary.0)")
            // A traversal name is ignored: the file lands under its hash, never under the given name.
            let ok = try await t.multipart("/api/v1/cases", fields: [("channel", "citizen"), ("description", "路径穿越文件名的照片")],
                                           files: [Upload(name: "photos[]", filename: "../../../../tmp/evil.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(ok.status, .created)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/evil.png"))
            let photos = (t.app.wanggeConfig.dataDirectory as NSString).appendingPathComponent("photos")
            let files = (FileManager.default.enumerator(atPath: photos)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".png") }
            XCTAssertEqual(files.count, 1)
            XCTAssertTrue(files[0].split(separator: "/").last!.count == 64 + 4, "named by SHA-256: \(files)")
            // Ten photos is one too many.
            let many = try await t.multipart("/api/v1/cases", fields: [("channel", "citizen"), ("description", "照片太多的反映问题")],
                                             files: (0..<10).map { Upload(name: "photos[]", filename: "\($0).png", contentType: "image/png", data: tinyPNG + Data([UInt8($0)])) })
            XCTAssertEqual(many.status, .badRequest)
        }
    }

    /// Random values in random fields of intake and transitions: never a 5xx.
    func testFuzzedRequestsNeverFailWithA500() async throws {
        try await withApp { t in
            var random = SplitMix64(seed: 20261123)
            let dispatcher = try await t.token("dispatcher")
            let spot = try t.centre(of: "330110001001-01")
            let base = try await t.report(["channel": "citizen", "description": "模糊测试的基础事件", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(base.json["code"] as? String)
            let keys = ["channel", "description", "categoryCode", "location", "address", "gridCode", "reporterPhone", "anonymous", "urgency",
                        "hotlineTicket", "petitionKind", "resolvedOnSpot", "result", "action", "version", "note", "departmentCode",
                        "coDepartmentCodes", "targetOrgCode", "masterCode", "rating", "extensionHours"]
            func value() -> Any {
                switch Int(random.next() % 9) {
                case 0: return Int(Int64(bitPattern: random.next()))
                case 1: return Double(bitPattern: random.next())
                case 2: return String(repeating: "号", count: Int(random.next() % 3000))
                case 3: return ["citizen", "patrol", "register", "dispatch", "accept", "close", "note", "0101", "330110-CG", "330110001001-01"][Int(random.next() % 10)]
                case 4: return ["lat": Double(Int(random.next() % 400)) - 200, "lon": Double(Int(random.next() % 800)) - 400]
                case 5: return [String(random.next()), "x"]
                case 6: return random.next() % 2 == 0
                case 7: return NSNull()
                default: return String((0..<Int(random.next() % 40)).map { _ in Character(UnicodeScalar(UInt8(32 + random.next() % 90))) })
                }
            }
            for i in 0..<300 {
                var body: [String: Any] = [:]
                for key in keys where random.next() % 3 == 0 { body[key] = value() }
                if i % 2 == 0 { body["channel"] = body["channel"] ?? "citizen" }
                let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8)
                let path = i % 2 == 0 ? "/api/v1/cases" : "/api/v1/cases/\(code)/transitions"
                let (status, answer) = try await send(t, .POST, path, token: i % 2 == 0 ? nil : dispatcher, body: data)
                XCTAssertLessThan(status.code, 500, "\(path) \(body) → \(answer.prefix(300))")
            }
            try await t.assertEventLogsReplay()
        }
    }
}
