import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// GeoReport v2, checked against the specification's field and element names.
final class Open311Tests: XCTestCase {
    func get(_ t: TestContext, _ path: String) async throws -> (HTTPStatus, String, HTTPHeaders) {
        let r = try await t.api(.GET, path)
        return (r.status, r.body, r.headers)
    }

    func post(_ t: TestContext, _ path: String, _ form: String) async throws -> (HTTPStatus, String) {
        var result: (HTTPStatus, String) = (.internalServerError, "")
        try await t.app.test(.POST, path, beforeRequest: { req in
            req.headers.contentType = .urlEncodedForm
            req.body = ByteBuffer(string: form)
        }, afterResponse: { res async in result = (res.status, res.body.string) })
        return result
    }

    static func form(_ fields: [(String, String)]) -> String {
        fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
    }

    func testDiscoveryAndServicesInJSONAndXML() async throws {
        try await withApp { t in
            let (s1, discovery, _) = try await get(t, "/open311/v2/discovery.json")
            XCTAssertEqual(s1, .ok)
            let d = try discovery.json()
            let endpoint = try XCTUnwrap((d["endpoints"] as? [[String: Any]])?.first)
            XCTAssertEqual(endpoint["specification"] as? String, "http://wiki.open311.org/GeoReport_v2")
            XCTAssertEqual(endpoint["formats"] as? [String], ["application/json", "text/xml"])
            for key in ["changeset", "contact", "key_service"] { XCTAssertNotNil(d[key], key) }
            let (_, discoveryXML, headers) = try await get(t, "/open311/v2/discovery.xml")
            XCTAssertEqual(headers.contentType?.subType, "xml")
            XCTAssertTrue(discoveryXML.contains("<discovery><changeset>"))
            XCTAssertTrue(discoveryXML.contains("<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>"))
            XCTAssertTrue(discoveryXML.contains("<formats><format>application/json</format><format>text/xml</format></formats>"))

            let services = try await get(t, "/open311/v2/services.json").1.jsonArray()
            let manhole = try XCTUnwrap(services.first { $0["service_code"] as? String == "0101" })
            XCTAssertEqual(manhole["service_name"] as? String, "井盖缺失破损")
            XCTAssertEqual(manhole["metadata"] as? Bool, false)
            XCTAssertEqual(manhole["type"] as? String, "realtime")
            XCTAssertEqual(manhole["group"] as? String, "城市管理")
            for key in ["description", "keywords"] { XCTAssertNotNil(manhole[key], key) }
            XCTAssertEqual(services.first { $0["service_code"] as? String == "0102" }?["metadata"] as? Bool, true)
            let xml = try await get(t, "/open311/v2/services.xml").1
            XCTAssertTrue(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>0101</service_code><service_name>井盖缺失破损</service_name>"))

            let definition = try await get(t, "/open311/v2/services/0102.json").1.json()
            XCTAssertEqual(definition["service_code"] as? String, "0102")
            let attribute = try XCTUnwrap((definition["attributes"] as? [[String: Any]])?.first)
            XCTAssertEqual(attribute["code"] as? String, "vendor_type")
            XCTAssertEqual(attribute["datatype"] as? String, "singlevaluelist")
            XCTAssertEqual(attribute["variable"] as? Bool, true)
            XCTAssertEqual(attribute["order"] as? Int, 1)
            XCTAssertEqual((attribute["values"] as? [[String: Any]])?.first?["key"] as? String, "food")
            let definitionXML = try await get(t, "/open311/v2/services/0102.xml").1
            XCTAssertTrue(definitionXML.contains("<service_definition><service_code>0102</service_code><attributes><attribute><variable>true</variable><code>vendor_type</code>"))
            XCTAssertTrue(definitionXML.contains("<values><value><key>food</key><name>餐饮</name></value>"))
            let (missing, body, _) = try await get(t, "/open311/v2/services/9999.json")
            XCTAssertEqual(missing, .notFound)
            XCTAssertEqual(try body.jsonArray().first?["code"] as? Int, 404)
        }
    }

    func testPostingRequestsWithLatLongAddressAndAttributes() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110002001-01")
            let (status, body) = try await post(t, "/open311/v2/requests.json", Self.form([
                ("api_key", DemoCounty.open311Key), ("jurisdiction_id", "330110"), ("service_code", "0101"),
                ("lat", "\(spot.lat)"), ("long", "\(spot.lon)"), ("description", "路口井盖丢失"), ("first_name", "三"), ("last_name", "张"),
                ("phone", "13800138000"),
            ]))
            XCTAssertEqual(status, .ok, body)
            let created = try XCTUnwrap(try body.jsonArray().first)
            let id = try XCTUnwrap(created["service_request_id"] as? String)
            let token = try XCTUnwrap(created["token"] as? String)
            XCTAssertNotNil(created["service_notice"])
            // An ordinary case of channel open311, in the right grid, with a query code.
            let model = try await CaseModel.query(on: t.app.db).filter(\.$code == id).first()
            XCTAssertEqual(model?.channel, "open311")
            XCTAssertEqual(model?.gridCode, "330110002001-01")
            XCTAssertEqual(model?.reporterName, "张三")
            let tracked = try await t.track(token)
            XCTAssertEqual(tracked.json["code"] as? String, id)
            let tokenLookup = try await get(t, "/open311/v2/tokens/\(token).json").1.jsonArray()
            XCTAssertEqual(tokenLookup.first?["service_request_id"] as? String, id)

            // Address only, answered in XML.
            let (xmlStatus, xml) = try await post(t, "/open311/v2/requests.xml", Self.form([
                ("api_key", DemoCounty.open311Key), ("service_code", "0201"), ("address_string", "西溪镇梅家坞村 18 号"), ("description", "夜里施工噪声很大"),
            ]))
            XCTAssertEqual(xmlStatus, .ok, xml)
            XCTAssertTrue(xml.contains("<service_requests><request><service_request_id>330110-"))

            // Attributes: a required one missing is a 400; given, they are stored.
            let (noAttr, noAttrBody) = try await post(t, "/open311/v2/requests.json", Self.form([
                ("api_key", DemoCounty.open311Key), ("service_code", "0401"), ("address_string", "南山镇工地"), ("description", "工地拖欠工资三个月"),
            ]))
            XCTAssertEqual(noAttr, .badRequest)
            XCTAssertEqual(try noAttrBody.jsonArray().first?["code"] as? Int, 400)
            let (withAttr, withAttrBody) = try await post(t, "/open311/v2/requests.json", Self.form([
                ("api_key", DemoCounty.open311Key), ("service_code", "0401"), ("address_string", "南山镇工地"), ("description", "工地拖欠工资三个月"),
                ("attribute[workers_owed]", "12"), ("attribute[employer]", "某建筑公司"),
            ]))
            XCTAssertEqual(withAttr, .ok, withAttrBody)
            let wageID = try XCTUnwrap(try withAttrBody.jsonArray().first?["service_request_id"] as? String)
            let stored = try await CaseModel.query(on: t.app.db).filter(\.$code == wageID).first()?.attributesJSON
            XCTAssertEqual(stored, #"{"employer":["某建筑公司"],"workers_owed":["12"]}"#)
            let (badValue, _) = try await post(t, "/open311/v2/requests.json", Self.form([
                ("api_key", DemoCounty.open311Key), ("service_code", "0102"), ("address_string", "湖滨路"), ("description", "占道卖水果"),
                ("attribute[vendor_type]", "cars"),
            ]))
            XCTAssertEqual(badValue, .badRequest)
        }
    }

    func testErrorsFollowTheSpecification() async throws {
        try await withApp { t in
            let (badKey, badKeyBody) = try await post(t, "/open311/v2/requests.json", Self.form([
                ("api_key", "wrong"), ("service_code", "0101"), ("lat", "30.43"), ("long", "120.27"), ("description", "井盖丢了好几天"),
            ]))
            XCTAssertEqual(badKey, .forbidden)
            XCTAssertEqual(try badKeyBody.jsonArray().first?["code"] as? Int, 403)
            XCTAssertNotNil(try badKeyBody.jsonArray().first?["description"] as? String)

            let (noService, noServiceBody) = try await post(t, "/open311/v2/requests.xml", Self.form([("api_key", DemoCounty.open311Key), ("lat", "30.43"), ("long", "120.27")]))
            XCTAssertEqual(noService, .badRequest)
            XCTAssertTrue(noServiceBody.contains("<errors><error><code>400</code><description>service_code was not provided"))
            let (noPlace, _) = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", DemoCounty.open311Key), ("service_code", "0101"), ("description", "井盖丢了好几天")]))
            XCTAssertEqual(noPlace, .badRequest)
            let (unknownService, _) = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", DemoCounty.open311Key), ("service_code", "7777"), ("address_string", "x 路")]))
            XCTAssertEqual(unknownService, .notFound)
            let (jurisdiction, _) = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", DemoCounty.open311Key), ("jurisdiction_id", "999999"), ("service_code", "0101"), ("address_string", "x 路")]))
            XCTAssertEqual(jurisdiction, .notFound)
            let (format, _, _) = try await get(t, "/open311/v2/services.yaml")
            XCTAssertEqual(format, .notFound)
            let count = try await CaseModel.query(on: t.app.db).count()
            XCTAssertEqual(count, 0, "nothing was written")

            // A revoked key stops working; an admin-issued one works.
            let admin = try await t.token("admin")
            let issued = try await t.api(.POST, "/api/v1/open311-keys", token: admin, json: ["name": "市民 App"]).body.json()
            let key = try XCTUnwrap(issued["key"] as? String)
            let (ok, _) = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", key), ("service_code", "0101"), ("address_string", "湖滨路"), ("description", "井盖丢了好几天")]))
            XCTAssertEqual(ok, .ok)
            let revoke = try await t.status(.DELETE, "/api/v1/open311-keys/\(issued["id"] as! String)", token: admin)
            XCTAssertEqual(revoke, .noContent)
            let (revoked, _) = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", key), ("service_code", "0101"), ("address_string", "湖滨路"), ("description", "井盖丢了好几天")]))
            XCTAssertEqual(revoked, .forbidden)
            let stored = try await APIClientModel.query(on: t.app.db).all().map(\.keyHash)
            XCTAssertFalse(stored.contains(key), "keys are stored hashed")
        }
    }

    func testKeysAreRateLimited() async throws {
        try await withApp { t in
            let admin = try await t.token("admin")
            let issued = try await t.api(.POST, "/api/v1/open311-keys", token: admin, json: AnyEncodable(["name": "小流量", "requestsPerMinute": 2] as [String: AnyEncodableValue])).body.json()
            let key = try XCTUnwrap(issued["key"] as? String)
            var statuses: [HTTPStatus] = []
            for _ in 0..<3 {
                statuses.append(try await post(t, "/open311/v2/requests.json", Self.form([("api_key", key), ("service_code", "0101"), ("address_string", "湖滨路"), ("description", "井盖丢了好几天")])).0)
            }
            XCTAssertEqual(statuses, [.ok, .ok, .tooManyRequests])
            t.clock.advance(60)
            let next = try await post(t, "/open311/v2/requests.json", Self.form([("api_key", key), ("service_code", "0101"), ("address_string", "湖滨路"), ("description", "井盖丢了好几天")])).0
            XCTAssertEqual(next, .ok, "a new minute, a new allowance")
        }
    }

    /// A client parses the XML answer whatever a reporter typed: markup is escaped, and characters XML 1.0
    /// cannot carry (an escape or bell pasted from another program) are dropped rather than breaking the document.
    func testXMLAnswersEscapeMarkupAndDropWhatXMLCannotCarry() async throws {
        try await withApp { t in
            let typed = "井盖<丢失> & \"危险\" 'a'\u{1B}\u{7}b"
            let created = try await t.report(["channel": "citizen", "description": typed, "categoryCode": "0101"])
            let code = try XCTUnwrap(created.json["code"] as? String)
            let (status, xml, _) = try await get(t, "/open311/v2/requests/\(code).xml")
            XCTAssertEqual(status, .ok)
            XCTAssertTrue(xml.contains("<description>井盖&lt;丢失&gt; &amp; &quot;危险&quot; &apos;a&apos;b</description>"), xml)
            XCTAssertFalse(xml.unicodeScalars.contains { $0.value < 0x20 }, "no control character in the document")
            let json = try await get(t, "/open311/v2/requests/\(code).json").1.jsonArray()
            XCTAssertEqual(json.first?["description"] as? String, typed, "JSON carries the text as typed")
        }
    }

    func testListingRequestsWithFilters() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let first = try await t.report(["channel": "citizen", "description": "井盖缺失需要处理", "categoryCode": "0101", "location": ["lat": spot.lat, "lon": spot.lon]])
            t.clock.advance(3 * 86400)
            let second = try await t.report(["channel": "citizen", "description": "噪声扰民需要处理", "categoryCode": "0201", "address": "湖滨路 1 号"])
            let dispatcher = try await t.token("dispatcher")
            _ = try await t.report(["channel": "window", "description": "窗口来访的内部事件", "categoryCode": "0101"], token: dispatcher)
            let secondCode = try XCTUnwrap(second.json["code"] as? String)
            try await t.act(secondCode, "reject", token: dispatcher, ["note": "不属于受理范围"])
            // The first is registered (a public step), then gets an internal note with a site photo.
            let firstCode = try XCTUnwrap(first.json["code"] as? String)
            try await t.act(firstCode, "register", token: dispatcher)
            let noted = try await t.multipart("/api/v1/cases/\(firstCode)/transitions", token: dispatcher, fields: [("action", "note"), ("note", "现场照片")],
                                              files: [Upload(name: "photos[]", filename: "site.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(noted.status, .ok, "\(noted.json)")

            let all = try await get(t, "/open311/v2/requests.json").1.jsonArray()
            XCTAssertEqual(all.count, 2, "internal channels are not published")
            XCTAssertEqual(all.compactMap { $0["service_request_id"] as? String }, [secondCode, firstCode], "newest filed first")
            let request = try XCTUnwrap(all.first { $0["service_code"] as? String == "0101" })
            for key in ["service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                        "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                        "lat", "long", "media_url"] {
                XCTAssertTrue(request.keys.contains(key), key)
            }
            XCTAssertTrue((request["requested_datetime"] as? String)?.hasSuffix("+08:00") ?? false)
            XCTAssertEqual(request["status_notes"] as? String, "立案:已立案", "the last public step; the internal note is not shown")
            let media = try XCTUnwrap(request["media_url"] as? String)
            XCTAssertTrue(media.contains("/open311/v2/media/\(firstCode)/"), media)
            let photo = try await get(t, String(media[try XCTUnwrap(media.range(of: "/open311/")).lowerBound...]))
            XCTAssertEqual(photo.0, .ok)
            XCTAssertEqual(photo.2.contentType, .png)
            XCTAssertEqual((all.first { $0["service_request_id"] as? String == secondCode })?["media_url"] as? String, nil, "no photo, no link")
            // A later photo and a later internal note change neither: the link is to the first photo, the notes the last public step.
            let later = try await t.multipart("/api/v1/cases/\(firstCode)/transitions", token: dispatcher, fields: [("action", "note"), ("note", "补拍")],
                                              files: [Upload(name: "photos[]", filename: "later.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(later.status, .ok, "\(later.json)")
            let again = try await get(t, "/open311/v2/requests/\(firstCode).json").1.jsonArray()
            XCTAssertEqual(again.first?["media_url"] as? String, media)
            XCTAssertEqual(again.first?["status_notes"] as? String, "立案:已立案")
            let open = try await get(t, "/open311/v2/requests.json?status=open").1.jsonArray()
            XCTAssertEqual(open.compactMap { $0["service_request_id"] as? String }, [first.json["code"] as? String])
            let closed = try await get(t, "/open311/v2/requests.json?status=closed").1.jsonArray()
            XCTAssertEqual(closed.compactMap { $0["service_request_id"] as? String }, [secondCode])
            XCTAssertEqual(closed.first?["status_notes"] as? String, "不属于受理范围")
            let byCode = try await get(t, "/open311/v2/requests.json?service_code=0201").1.jsonArray()
            XCTAssertEqual(byCode.count, 1)
            let formatter = ISO8601DateFormatter()
            let since = formatter.string(from: t.clock.now.addingTimeInterval(-86400))
            let recent = try await get(t, "/open311/v2/requests.json?start_date=\(since)").1.jsonArray()
            XCTAssertEqual(recent.compactMap { $0["service_request_id"] as? String }, [secondCode])
            let until = formatter.string(from: t.clock.now.addingTimeInterval(-86400))
            let older = try await get(t, "/open311/v2/requests.json?end_date=\(until)").1.jsonArray()
            XCTAssertEqual(older.count, 1)
            let one = try await get(t, "/open311/v2/requests/\(secondCode).xml").1
            XCTAssertTrue(one.contains("<service_requests><request><service_request_id>\(secondCode)</service_request_id><status>closed</status>"))
            let (bad, _, _) = try await get(t, "/open311/v2/requests.json?start_date=yesterday")
            XCTAssertEqual(bad, .badRequest)
        }
    }

    /// Times are written as Foundation's `ISO8601DateFormatter` writes them, in the installation's zone, whatever the
    /// zone's offset (whole hours, half hours, behind UTC, summer time or none) and the moment.
    /// The JSON answers are written byte by byte (`Open311Value.jsonBytes`), as `StreamingJSONEncoder` writes the
    /// value through `Encodable`: keys sorted, the first of two alike kept, nil as null, whole numbers without a
    /// point, escapes, and no answer where a number is not finite.
    func testJSONIsWrittenAsTheEncoderWritesIt() throws {
        var generator = SystemRandomNumberGenerator()
        let texts = ["", "路灯不亮", "a\"b\\c/d", "line\nbreak\ttab\r", "\u{01}\u{1F}\u{7F}", "emoji 🚧 ok", "<a href='x'>&amp;</a>", "\u{2028}\u{2029}"]
        let numbers: [Double] = [0, -0.0, 1, -7, 30.25, 120.123456789, 1e-7, 123_456_789.5, 1e15 - 1, 1e15, 1e16, -1e15, 1.5e300, 0.1 + 0.2]
        func leaf() -> Open311Value {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: return .string(nil)
            case 1, 2: return .string(texts.randomElement(using: &generator)! + String(Int.random(in: 0..<3, using: &generator)))
            case 3: return .number(Bool.random(using: &generator) ? numbers.randomElement(using: &generator)! : Double.random(in: -1e6...1e6, using: &generator))
            case 4: return .number(nil)
            default: return .bool(Bool.random(using: &generator))
            }
        }
        func tree(_ depth: Int) -> Open311Value {
            guard depth > 0, Int.random(in: 0..<3, using: &generator) > 0 else { return leaf() }
            if Bool.random(using: &generator) {
                let keys = ["lat", "long", "status", "service_code", "a", "B", "z", "地址", "status"]
                return .object((0..<Int.random(in: 0...7, using: &generator)).map { _ in (keys.randomElement(using: &generator)!, tree(depth - 1)) })
            }
            return .array(itemName: "request", (0..<Int.random(in: 0...4, using: &generator)).map { _ in tree(depth - 1) })
        }
        // A list's requests share their names: objects of the same names in a row, one of other names among them.
        func list() -> Open311Value {
            let names = ["status", "lat", "service_code", "status", "long", "地址", "a"]
            return .array(itemName: "request", (0..<Int.random(in: 1...12, using: &generator)).map { n in
                n == 5 ? tree(2) : .object(names.map { ($0, tree(1)) })
            })
        }
        let encoder = StreamingJSONEncoder()
        for round in 0..<2_000 {
            let value = round % 4 == 0 ? list() : tree(4)
            let written = try XCTUnwrap(value.jsonBytes())
            XCTAssertEqual(String(decoding: written, as: UTF8.self), String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        for bad in [Double.nan, .infinity, -.infinity] {
            let value = Open311Value.array(itemName: "request", [.object([("lat", .number(bad))])])
            XCTAssertNil(value.jsonBytes())
            XCTAssertThrowsError(try encoder.encode(value))
        }
    }

    func testTimesAreWrittenAsFoundationWritesThem() {
        var generator = SystemRandomNumberGenerator()
        let moments: [Double] = [0, -0.5, -1_495_223_749.000063, 951_782_400, 1_796_536_805.9, 1_796_536_805.9996, 1_796_536_805.9994,
                                 1_710_054_000, 1_730_613_600] +
            (0..<400).map { _ in Double.random(in: -2_000_000_000...4_000_000_000, using: &generator) }
        for zone in ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"] {
            let timeZone = TimeZone(identifier: zone)!
            let foundation = ISO8601DateFormatter()
            foundation.timeZone = timeZone
            foundation.formatOptions = [.withInternetDateTime]
            let time = Open311Time(timeZone: timeZone)
            for seconds in moments {
                let date = Date(timeIntervalSince1970: seconds)
                XCTAssertEqual(time.string(date), foundation.string(from: date), "\(zone) \(seconds)")
            }
        }
        XCTAssertNil(Open311Time(timeZone: .gmt).string(nil))
        // In JSON: the same text quoted, a year past 9999 as Foundation writes it, nil as null.
        for (zone, seconds) in [("Asia/Shanghai", 1_796_536_805.9996), ("America/St_Johns", -1_495_223_749.000063), ("UTC", 300_000_000_000)] {
            let time = Open311Time(timeZone: TimeZone(identifier: zone)!)
            var bytes: [UInt8] = []
            time.appendJSON(Date(timeIntervalSince1970: seconds), to: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "\"\(try XCTUnwrap(time.string(Date(timeIntervalSince1970: seconds))))\"")
        }
        var null: [UInt8] = []
        Open311Time(timeZone: .gmt).appendJSON(nil, to: &null)
        XCTAssertEqual(String(decoding: null, as: UTF8.self), "null")
    }

    /// A list's JSON and XML are written straight from its rows, as the requests' values write them: every field (sorted
    /// in JSON, in the specification's order in XML), escaped, with and without a category, department, location,
    /// address, reply, photo or clocks.
    func testRequestsJSONAndXMLAreWrittenAsTheirValuesWriteThem() async throws {
        try await withApp { t in
            let spot = try t.centre(of: "330110001001-01")
            let dispatcher = try await t.token("dispatcher")
            var codes: [String] = []
            for body: [String: Any] in [
                ["channel": "citizen", "description": "井盖\"缺失\"\n需要处理\\", "categoryCode": "0101", "location": ["lat": spot.lat, "lon": spot.lon]],
                ["channel": "citizen", "description": "噪声扰民 <b>&</b>", "address": "湖滨路 1 号"],
                ["channel": "citizen", "description": "路灯不亮已经三天", "categoryCode": "0201", "address": "文一路", "location": ["lat": 30.25, "lon": 120.125]],
            ] {
                let made = try await t.report(body)
                codes.append(try XCTUnwrap(made.json["code"] as? String, "\(made.json)"))
                t.clock.advance(3600)
            }
            try await t.act(codes[1], "reject", token: dispatcher, ["note": "不属于受理范围 \"引号\""])
            try await t.act(codes[0], "register", token: dispatcher)
            let noted = try await t.multipart("/api/v1/cases/\(codes[0])/transitions", token: dispatcher, fields: [("action", "note"), ("note", "现场")],
                                              files: [Upload(name: "photos[]", filename: "site.png", contentType: "image/png", data: tinyPNG)])
            XCTAssertEqual(noted.status, .ok, "\(noted.json)")

            let rows = try await Open311RequestRow.read(CaseListQuery(on: t.app.db).sort("id", .ascending), limit: 10, on: t.app.db)
            XCTAssertEqual(rows.map(\.summary.code), codes)
            for (zone, names) in [("Asia/Shanghai", NameBook(departments: [:], categories: ["0101": "井盖"])), ("America/St_Johns", NameBook())] {
                let writer = Open311RequestWriter(names: names, time: Open311Time(timeZone: TimeZone(identifier: zone)!), base: "http://wangge.example")
                let written = try XCTUnwrap(writer.json(rows))
                let valued = try XCTUnwrap(Open311Value.array(itemName: "request", rows.map(writer.value)).jsonBytes())
                XCTAssertEqual(String(decoding: written, as: UTF8.self), String(decoding: valued, as: UTF8.self), zone)
                XCTAssertEqual(writer.json([]).map { String(decoding: $0, as: UTF8.self) }, "[]")
                for some in [rows, []] {
                    var valuedXML = XMLWriter()
                    Open311Value.array(itemName: "request", some.map(writer.value)).writeXML(name: "service_requests", into: &valuedXML)
                    XCTAssertEqual(String(decoding: writer.xml(some), as: UTF8.self), String(decoding: valuedXML.bytes, as: UTF8.self), zone)
                }
            }
            let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(Open311RequestWriter(
                names: NameBook(), time: Open311Time(timeZone: .gmt), base: "http://h").json(rows)))) as? [[String: Any]])
            XCTAssertEqual(parsed.map { $0.count }, [17, 17, 17])
            XCTAssertEqual(parsed[0]["media_url"] as? String, "http://h/open311/v2/media/\(codes[0])/1")
            XCTAssertEqual(parsed[1]["status_notes"] as? String, "不属于受理范围 \"引号\"")
        }
    }
}
