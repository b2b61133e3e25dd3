import Foundation
import WanggeDomain
import XCTest
import XCTVapor
@testable import WanggeWeb

/// Pages, maps, lists and text exports go out gzip-compressed to clients that ask; small answers,
/// clients that do not ask and files that are already compressed go out as they are.
final class ResponseCompressionTests: XCTestCase {
    func testADispatchersPagesAndMapArriveCompressedAndUnpackToTheSamePage() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("dispatcher", &browser)
            for path in ["/work", "/overview", "/maps/grids.svg"] {
                let plain = try await t.bytes(path, browser, acceptEncoding: nil)
                let packed = try await t.bytes(path, browser, acceptEncoding: "gzip, deflate, br")
                XCTAssertEqual(plain.status, .ok, path)
                XCTAssertNil(plain.headers.first(name: .contentEncoding), path)
                XCTAssertEqual(packed.headers.first(name: .contentEncoding), "gzip", path)
                XCTAssertTrue(packed.headers[.vary].contains("Accept-Encoding"), path)
                XCTAssertEqual(packed.headers.first(name: .contentLength), String(packed.body.count), path)
                XCTAssertLessThan(packed.body.count * 2, plain.body.count, "\(path): \(packed.body.count) of \(plain.body.count) bytes")
                let unpacked = try gunzip(packed.body)
                XCTAssertEqual(withoutFormTokens(unpacked), withoutFormTokens(plain.body), path)
            }
        }
    }

    func testSmallAnswersRefusalsAndZipFilesGoOutAsTheyAre() async throws {
        try await withApp { t in
            var browser = Browser()
            try await t.signIn("leader", &browser)
            let small = try await t.bytes("/healthz", browser, acceptEncoding: "gzip")
            XCTAssertNil(small.headers.first(name: .contentEncoding), "a 15-byte answer")
            for refusal in ["gzip;q=0", "identity", "br, deflate", nil] {
                let page = try await t.bytes("/overview", browser, acceptEncoding: refusal)
                XCTAssertNil(page.headers.first(name: .contentEncoding), refusal ?? "no header")
                XCTAssertTrue(page.headers[.vary].contains("Accept-Encoding"), "a cache keeps the plain page apart")
            }
            let anything = try await t.bytes("/overview", browser, acceptEncoding: "*")
            XCTAssertEqual(anything.headers.first(name: .contentEncoding), "gzip")
            let xlsx = try await t.bytes("/reports/export.xlsx?area=330110001", browser, acceptEncoding: "gzip")
            XCTAssertEqual(xlsx.status, .ok)
            XCTAssertNil(xlsx.headers.first(name: .contentEncoding), "an XLSX file is a ZIP already")
            XCTAssertEqual(Array(xlsx.body.prefix(2)), [0x50, 0x4B])
            let csv = try await t.bytes("/reports/export.csv?area=330110001&table=units", browser, acceptEncoding: "gzip")
            let text = csv.headers.first(name: .contentEncoding) == "gzip" ? try gunzip(csv.body) : csv.body
            XCTAssertTrue(String(decoding: text.dropFirst(3), as: UTF8.self).hasPrefix("名称,受理,立案"))
        }
    }

    func testTheAPIsListsArriveCompressed() async throws {
        try await withApp { t in
            let token = try await t.token("dispatcher")
            var plain = Data(), packed = Data(), encoding: String?
            for gzip in [false, true] {
                try await t.app.test(.GET, "/api/v1/org-units?limit=200", beforeRequest: { req in
                    req.headers.bearerAuthorization = BearerAuthorization(token: token)
                    if gzip { req.headers.replaceOrAdd(name: .acceptEncoding, value: "gzip") }
                }, afterResponse: { res async in
                    if gzip { packed = Data(buffer: res.body); encoding = res.headers.first(name: .contentEncoding) } else { plain = Data(buffer: res.body) }
                })
            }
            XCTAssertEqual(encoding, "gzip", String(decoding: plain.prefix(300), as: UTF8.self))
            XCTAssertEqual(try gunzip(packed), plain)
            XCTAssertGreaterThan((try String(decoding: plain, as: UTF8.self).json()["items"] as? [Any])?.count ?? 0, 10)
        }
    }

    /// The types known by their text (the API's JSON, the pages' HTML) are judged as Vapor's parser judges them, and so is
    /// every other type.
    func testAnAnswersTypeIsJudgedAsVaporsParserJudgesIt() {
        XCTAssertEqual(GzipMiddleware.knownCompressible.count, 2, "JSON and HTML")
        var written = HTTPHeaders()
        written.contentType = .json
        var types = ["application/json", "text/html", "text/csv; charset=utf-8", "image/svg+xml", "image/png", "application/zip",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain"]
        types += Array(GzipMiddleware.knownCompressible) + [written.first(name: .contentType)!]
        for type in types {
            let headers = HTTPHeaders([("Content-Type", type)])
            XCTAssertEqual(GzipMiddleware.isCompressible(headers), headers.contentType.map(HTTPMediaTypeSet.compressible.contains) ?? false, type)
        }
        XCTAssertTrue(GzipMiddleware.isCompressible(written))
        XCTAssertFalse(GzipMiddleware.isCompressible(HTTPHeaders([("Content-Type", "image/png")])))
        XCTAssertFalse(GzipMiddleware.isCompressible(HTTPHeaders()))
    }

    func testAcceptEncodingIsReadByNameAndWeight() {
        XCTAssertTrue(GzipMiddleware.acceptsGzip(["gzip"]))
        XCTAssertTrue(GzipMiddleware.acceptsGzip(["deflate, GZIP;q=0.5"]))
        XCTAssertTrue(GzipMiddleware.acceptsGzip(["br", "gzip"]))
        XCTAssertTrue(GzipMiddleware.acceptsGzip(["*;q=0.1"]))
        XCTAssertFalse(GzipMiddleware.acceptsGzip([]))
        XCTAssertFalse(GzipMiddleware.acceptsGzip(["gzip;q=0"]))
        XCTAssertFalse(GzipMiddleware.acceptsGzip(["gzip; q=0.0, identity"]))
        XCTAssertFalse(GzipMiddleware.acceptsGzip(["x-gzip-not, br"]))
        XCTAssertTrue(GzipMiddleware.acceptsGzip(["*;q=0, gzip"]), "gzip named outweighs the wildcard")
        XCTAssertFalse(GzipMiddleware.acceptsGzip(["*, gzip;q=0"]))
    }

    /// A county's map outlines, compressed once, go into the report form as those very blocks, and the page unpacks to
    /// the page sent plain, no larger than the page compressed whole. No page that draws a map leaves its mark behind.
    func testTheReportFormCarriesTheMapsOutlinesAsCompressedOnce() async throws {
        try await withApp { t in
            let county = try await t.app.gridShapeCache.map(of: [], width: CaseMapSVG.width, height: CaseMapSVG.height, on: t.app.db)
            let outlines = try XCTUnwrap(county.caseMapOutlines)
            XCTAssertGreaterThan(county.grids.count, 10)
            let plain = try await t.bytes("/report", Browser(), acceptEncoding: nil)
            let packed = try await t.bytes("/report", Browser(), acceptEncoding: "gzip")
            XCTAssertEqual(packed.status, .ok)
            XCTAssertTrue(String(decoding: plain.body, as: UTF8.self).contains(outlines.text), "the form draws the county's outlines")
            XCTAssertEqual(plain.headers.first(name: .contentLength), String(plain.body.count))
            XCTAssertEqual(packed.headers.first(name: .contentEncoding), "gzip")
            XCTAssertNotNil(packed.body.range(of: Data(try XCTUnwrap(outlines.blocks))), "the outlines go in as compressed once")
            XCTAssertEqual(withoutFormTokens(try gunzip(packed.body)), withoutFormTokens(plain.body))
            let whole = try XCTUnwrap(GzipMiddleware.gzip(ByteBuffer(data: plain.body), allocator: ByteBufferAllocator()))
            XCTAssertLessThanOrEqual(packed.body.count, whole.readableBytes, "no larger than the page compressed whole")

            let spot = try t.centre(of: "330110001001-01")
            let created = try await t.report(["channel": "citizen", "description": "小区门口路灯不亮", "location": ["lat": spot.lat, "lon": spot.lon]])
            let code = try XCTUnwrap(created.json["code"] as? String, "\(created.json)")
            for (user, paths) in [("dispatcher", ["/work", "/overview", "/cases/\(code)", "/report"]), ("grid1", ["/grid", "/report"])] {
                var browser = Browser()
                try await t.signIn(user, &browser)
                for path in paths {
                    for encoding in [nil, "gzip"] {
                        let answer = try await t.bytes(path, browser, acceptEncoding: encoding)
                        let page = String(decoding: encoding == nil ? answer.body : try gunzip(answer.body), as: UTF8.self)
                        XCTAssertEqual(answer.status, .ok, path)
                        XCTAssertTrue(page.contains("<path class=\"grid\""), "\(user) \(path): the map's grids")
                        XCTAssertFalse(page.contains("<!--carried"), "\(user) \(path) \(encoding ?? "plain"): a mark left")
                    }
                }
            }
        }
    }

    /// Texts carried by a page go back in place of their marks wherever they lie: at its start or end, twice, one beside
    /// another; plain, or as their blocks inside the page's gzip stream. A page without marks is left as it is.
    func testCarriedTextsGoBackInPlaceOfTheirMarks() throws {
        let map = (0..<400).map { "<path class=\"grid\" d=\"M\($0 % 97) \($0 % 89)L\($0 % 83) 4Z\"><title>第\($0)网格</title></path>" }.joined()
        let list = (0..<300).map { "<li>第\($0)件</li>" }.joined()
        let (mapText, listText) = (PrecompressedText(map), PrecompressedText(list))
        let texts = [mapText, listText, mapText]
        let (m0, m1, m2) = (PrecompressedText.mark(0), PrecompressedText.mark(1), PrecompressedText.mark(2))
        let pages = ["<html>" + m0 + "</html>", m0 + "<p>尾</p>", "<p>头</p>" + m0, m0, "<a>" + m0 + m1 + "</a>",
                     m1 + "<b>" + m2 + "</b>" + m0, "<p>" + m1 + m1 + "</p>"]
        for page in pages {
            let expected = page.replacingOccurrences(of: m0, with: map).replacingOccurrences(of: m1, with: list)
                .replacingOccurrences(of: m2, with: map)
            let carried = try XCTUnwrap(CarriedPage(ByteBuffer(string: page), texts: texts), page)
            XCTAssertEqual(carried.length, expected.utf8.count)
            XCTAssertEqual(String(buffer: carried.joined(ByteBuffer(string: page), allocator: ByteBufferAllocator())), expected)
            let packed = Data(buffer: try XCTUnwrap(GzipMiddleware.gzip(ByteBuffer(string: page), pieces: carried.pieces,
                                                                          allocator: ByteBufferAllocator())))
            XCTAssertEqual(String(decoding: try gunzip(packed), as: UTF8.self), expected, page)
            XCTAssertEqual(packed.range(of: Data(try XCTUnwrap(mapText.blocks))) != nil, expected.contains(map), page)
            XCTAssertEqual(packed.range(of: Data(try XCTUnwrap(listText.blocks))) != nil, expected.contains(list), page)
        }
        XCTAssertNil(CarriedPage(ByteBuffer(string: "<p>没有地图" + m0.dropLast() + "</p>"), texts: texts))
        XCTAssertNil(CarriedPage(ByteBuffer(string: m0), texts: []))
    }

    /// A dispatcher's grid choices go out as runs compressed once, all but the run holding the case's grid, which is
    /// written with that option selected; put back, they are the options as written whole.
    func testGridChoicesGoOutAsRunsWithTheCasesGridSelected() async throws {
        try await withApp(on: [.sqlite]) { t in
            let grids = (0..<250).map { (code: "g-\($0)", label: "第\($0)网格 <\($0)>") }
            let choices = GridChoices(grids)
            XCTAssertEqual(choices.runs.count, 3)
            for selected in ["g-150", "g-0", "g-249", "g-999", nil] {
                let req = Request(application: t.app, on: t.app.eventLoopGroup.next())
                let html = choices.html(selecting: selected, for: req)
                let expected = SelectOptions.html(grids.map { ($0.code, $0.label, $0.code == selected) })
                let carried = try XCTUnwrap(CarriedPage(ByteBuffer(string: html), texts: req.carriedTexts))
                XCTAssertEqual(String(buffer: carried.joined(ByteBuffer(string: html), allocator: ByteBufferAllocator())), expected)
                let marks = html.components(separatedBy: "<!--carried").count - 1
                XCTAssertEqual(marks, grids.contains { $0.code == selected } ? 2 : 3, selected ?? "none")
                XCTAssertEqual(choices.html(selecting: selected, for: req), html, "the same runs keep their marks")
            }
        }
    }

    /// Each answer's forms carry the session's token under a fresh mask; the page is otherwise the same.
    private func withoutFormTokens(_ page: Data) -> String {
        String(decoding: page, as: UTF8.self).replacingOccurrences(of: #"name="_csrf" value="[^"]*""#, with: "", options: .regularExpression)
    }
}

/// Debian's `gzip`, so the check does not share code with what it checks.
func gunzip(_ data: Data) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-dc"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
    writer.start()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
    return result
}

extension TestContext {
    /// A page's bytes as they travel, with or without `Accept-Encoding`.
    func bytes(_ path: String, _ browser: Browser, acceptEncoding: String?) async throws -> (status: HTTPStatus, headers: HTTPHeaders, body: Data) {
        var result: (HTTPStatus, HTTPHeaders, Data) = (.internalServerError, [:], Data())
        try await app.test(.GET, path, beforeRequest: { req in
            req.headers.replaceOrAdd(name: .cookie, value: browser.cookieHeader)
            if let acceptEncoding { req.headers.replaceOrAdd(name: .acceptEncoding, value: acceptEncoding) }
        }, afterResponse: { res async in result = (res.status, res.headers, Data(buffer: res.body)) })
        return result
    }
}
