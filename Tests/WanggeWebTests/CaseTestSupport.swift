import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

/// A real 1×1 PNG, for photo uploads.
let tinyPNG = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!

struct Upload {
    var name: String
    var filename: String
    var contentType: String
    var data: Data
}

/// A multipart/form-data body, built by hand as a browser or phone app would send it.
func multipartBody(_ fields: [(String, String)], files: [Upload]) -> (ByteBuffer, HTTPMediaType) {
    let boundary = "----wangge-test-\(UUID().uuidString)"
    var body = Data()
    for (name, value) in fields {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }
    for file in files {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.contentType)\r\n\r\n".utf8))
        body.append(file.data)
        body.append(Data("\r\n".utf8))
    }
    body.append(Data("--\(boundary)--\r\n".utf8))
    return (ByteBuffer(data: body), HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]))
}

extension TestContext {
    /// `POST /api/v1/cases` with JSON; returns status and the decoded body.
    func report(_ body: [String: Any], token: String? = nil) async throws -> (status: HTTPStatus, json: [String: Any]) {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await raw(.POST, "/api/v1/cases", token: token, body: ByteBuffer(data: data), contentType: .json)
    }

    func raw(_ method: HTTPMethod, _ path: String, token: String? = nil, body: ByteBuffer, contentType: HTTPMediaType) async throws -> (status: HTTPStatus, json: [String: Any]) {
        var result: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
        try await app.test(method, path, beforeRequest: { req in
            if let token { req.headers.bearerAuthorization = BearerAuthorization(token: token) }
            req.headers.contentType = contentType
            req.body = body
        }, afterResponse: { res async in
            result = (res.status, (try? res.body.string.json()) ?? ["raw": res.body.string])
        })
        return result
    }

    func multipart(_ path: String, token: String? = nil, fields: [(String, String)], files: [Upload]) async throws -> (status: HTTPStatus, json: [String: Any]) {
        let (body, type) = multipartBody(fields, files: files)
        return try await raw(.POST, path, token: token, body: body, contentType: type)
    }

    /// One action on a case; returns status and the case (or error) JSON.
    @discardableResult
    func act(_ code: String, _ action: String, token: String, _ extra: [String: Any] = [:], expect: HTTPStatus = .ok,
             file: StaticString = #filePath, line: UInt = #line) async throws -> [String: Any] {
        var body = extra
        body["action"] = action
        let data = try JSONSerialization.data(withJSONObject: body)
        let r = try await raw(.POST, "/api/v1/cases/\(code)/transitions", token: token, body: ByteBuffer(data: data), contentType: .json)
        XCTAssertEqual(r.status, expect, "[\(database)] \(action) on \(code): \(r.json)", file: file, line: line)
        return r.json
    }

    func caseJSON(_ code: String, token: String) async throws -> [String: Any] {
        try await api(.GET, "/api/v1/cases/\(code)", token: token).body.json()
    }

    func track(_ queryCode: String) async throws -> (status: HTTPStatus, json: [String: Any]) {
        let r = try await api(.GET, "/api/v1/track/\(queryCode)")
        return (r.status, (try? r.body.json()) ?? [:])
    }

    /// The demo grid's centre point, where a report lands in that grid.
    func centre(of gridCode: String) throws -> (lat: Double, lon: Double) {
        let unit = try XCTUnwrap(DemoCounty.units.first { $0.code == gridCode })
        let ring = try XCTUnwrap(unit.polygon).polygons[0].outer.dropLast()
        return (ring.map(\.lat).reduce(0, +) / Double(ring.count), ring.map(\.lon).reduce(0, +) / Double(ring.count))
    }

    /// How the stored rollups, gauges and finished counts differ from `wangge rollups check`'s recount
    /// of the cases and their logs (empty when they agree).
    func rollupDifferences() async throws -> [String] {
        let rebuild = RollupRebuild(db: app.db, timeZone: app.wanggeConfig.timeZone)
        return try await rebuild.differences(try await rebuild.recount())
    }

    /// A page of `/api/v1/cases?query` as its case codes and its cursor.
    func casePage(_ query: String, token: String) async throws -> (codes: [String], next: String?) {
        let page = try await api(.GET, "/api/v1/cases?\(query)", token: token).body.json()
        return ((page["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? ["?"], page["next"] as? String)
    }

    /// Every page of a case list in turn, following each page's `next` (stopping past `most` codes, should it never end).
    func casePages(_ query: String, token: String, most: Int = 40) async throws -> [String] {
        var seen: [String] = []
        var after: String?
        repeat {
            let page = try await casePage(query + (after.map { "&after=\($0)" } ?? ""), token: token)
            seen += page.codes
            after = page.next
        } while after != nil && seen.count <= most
        return seen
    }

    /// Every stored case equals the replay of its own event log.
    func assertEventLogsReplay(file: StaticString = #filePath, line: UInt = #line) async throws {
        for model in try await CaseModel.query(on: app.db).all() {
            let events = try await CaseEventModel.query(on: app.db).filter(\.$caseID == model.requireID()).sort(\.$seq).all()
            XCTAssertEqual(events.map(\.seq), Array(1...events.count), "gapless sequence", file: file, line: line)
            let initial = try JSONDecoder().decode(CaseSnapshot.self, from: Data(events[0].payload.utf8))
            let steps = try events.dropFirst().map { (command: try JSONDecoder().decode(CaseCommand.self, from: Data($0.payload.utf8)),
                                                      actorUsername: $0.actorUsername ?? "reporter") }
            let replayed = try CaseMachine.replay(initial: initial, events: steps)
            XCTAssertEqual(replayed, try model.snapshot, "replay of \(model.code)", file: file, line: line)
            XCTAssertEqual(events.last?.toState, model.state, file: file, line: line)
        }
    }
}
