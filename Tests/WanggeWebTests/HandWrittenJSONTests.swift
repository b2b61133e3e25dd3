import Foundation
import NIOCore
import NIOHTTP1
import Vapor
import WanggeDomain
@testable import WanggeWeb
import XCTest

/// The answers that write their own JSON (`CaseDTOsWritten.swift`) must write what their synthesized
/// `Encodable` writes, as a client reads it. Each is checked on a value with every field filled, so that
/// a field the writer forgets is missing from its output, and on one with every optional field empty,
/// which must be left out rather than written as null.
final class HandWrittenJSONTests: XCTestCase {
    func testACaseIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode(CaseDTO.self, Self.fullCase)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)

        let bare = try decode(CaseDTO.self, Self.bareCase)
        try assertWrittenAsEncodableWrites(bare)
        let written = try streamed(bare) as? [String: Any]
        XCTAssertNil(written?["queryCode"], "an absent optional is left out")
        XCTAssertEqual((written?["coDepartments"] as? [Any])?.count, 0, "an empty array is written empty")
    }

    func testATimelineIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode([CaseEventDTO].self, Self.fullEvents)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)
        try assertWrittenAsEncodableWrites(try decode([CaseEventDTO].self, Self.bareEvents))
    }

    func testAQueuePageIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode(Page<CaseSummaryDTO>.self, Self.fullPage)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)
        try assertWrittenAsEncodableWrites(try decode(Page<CaseSummaryDTO>.self, #"{"items": []}"#))
    }

    func testAnIntakeAnswerIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode(IntakeResponseDTO.self, Self.fullIntake)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)
        try assertWrittenAsEncodableWrites(try decode(IntakeResponseDTO.self, Self.bareIntake))
    }

    func testATrackingAnswerIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode(TrackDTO.self, Self.fullTrack)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)
        let bare = try decode(TrackDTO.self, Self.bareTrack)
        try assertWrittenAsEncodableWrites(bare)
        XCTAssertNil((try streamed(bare) as? [String: Any])?["reply"], "an absent optional is left out")
    }

    func testARankingIsWrittenAsItsEncodableWritesIt() throws {
        let full = try decode(AssessmentAPIController.RankingsDTO.self, Self.fullRanking)
        assertNothingEmpty(full)
        try assertWrittenAsEncodableWrites(full)
        let bare = try decode(AssessmentAPIController.RankingsDTO.self, Self.bareRanking)
        try assertWrittenAsEncodableWrites(bare)
        let unrated = (try streamed(bare) as? [String: Any])?["items"] as? [[String: Any]]
        XCTAssertEqual(unrated?.count, 1)
        XCTAssertNil(unrated?.first?["value"], "a unit with nothing to rate has no value")
        XCTAssertEqual(unrated?.first?["display"] as? String, "—")
        try assertResponseWritesAsEncoder(full)
    }

    /// The hot API answers skip Vapor's content configuration (`Response(json:)`): their bodies must be the
    /// bytes the configured encoder writes, with the same JSON content type, and the status as given.
    func testAnAnswerWrittenIntoItsResponseIsWhatTheEncoderWrites() throws {
        try assertResponseWritesAsEncoder(try decode(CaseDTO.self, Self.fullCase))
        try assertResponseWritesAsEncoder(try decode(CaseDTO.self, Self.bareCase))
        try assertResponseWritesAsEncoder(try decode([CaseEventDTO].self, Self.fullEvents))
        try assertResponseWritesAsEncoder(try decode(Page<CaseSummaryDTO>.self, Self.fullPage))
        try assertResponseWritesAsEncoder(try decode(Page<CaseSummaryDTO>.self, #"{"items": []}"#))
        try assertResponseWritesAsEncoder(try decode(IntakeResponseDTO.self, Self.fullIntake), status: .created)
        try assertResponseWritesAsEncoder(try decode(TrackDTO.self, Self.fullTrack))
    }

    // MARK: helpers

    private func assertResponseWritesAsEncoder<T: JSONWritable & Encodable>(_ value: T, status: HTTPResponseStatus = .ok,
                                                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try Response(json: value, status: status)
        var configured = ByteBuffer(), headers = HTTPHeaders()
        try StreamingJSONEncoder().encode(value, to: &configured, headers: &headers)
        XCTAssertEqual(response.body.buffer, configured, file: file, line: line)
        XCTAssertEqual(response.headers.contentType, headers.contentType, file: file, line: line)
        XCTAssertEqual(response.headers.contentType, .json, file: file, line: line)
        XCTAssertEqual(response.status, status, file: file, line: line)
        XCTAssertEqual(response.headers.first(name: .contentLength), String(configured.readableBytes), file: file, line: line)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(json.utf8))
    }

    private func streamed(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try StreamingJSONEncoder().encode(value)))
    }

    /// What the synthesized `encode(to:)` writes, through Foundation's encoder with the API's settings.
    private func synthesized(_ value: some Encodable) throws -> Any {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    private func assertWrittenAsEncodableWrites(_ value: some Encodable, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try streamed(value) as? NSObject, try synthesized(value) as? NSObject, file: file, line: line)
    }

    /// Every optional filled and every array non-empty, all the way down: a field added to a type
    /// fails here until the fixture fills it, and then fails the comparison until the writer writes it.
    private func assertNothingEmpty(_ value: Any, path: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let inner = mirror.children.first else { return XCTFail("\(path) is nil in the fixture", file: file, line: line) }
            assertNothingEmpty(inner.value, path: path, file: file, line: line)
        case .collection:
            if mirror.children.isEmpty { XCTFail("\(path) is empty in the fixture", file: file, line: line) }
            for (index, child) in mirror.children.enumerated() {
                assertNothingEmpty(child.value, path: "\(path)[\(index)]", file: file, line: line)
            }
        case .struct:
            guard !(value is Date) else { return }
            for child in mirror.children {
                assertNothingEmpty(child.value, path: "\(path).\(child.label ?? "?")", file: file, line: line)
            }
        default:
            return
        }
    }

    // MARK: fixtures

    private static let clock = #"{"startedAt": "2026-11-30T01:02:03Z", "dueAt": "2026-12-01T09:00:00Z", "metAt": "2026-11-30T08:00:00Z", "met": true, "limit": "2个工作日"}"#

    private static let summary = #"""
    {"code": "330110-20261130-00002", "state": "dispatched", "stateName": "已派遣", "channel": "hotline",
     "description": "同一处\"井盖\"", "category": {"code": "0101", "name": "井盖"}, "urgency": "urgent",
     "address": "文一路 12 号", "gridCode": "330110001001-01", "leadDepartmentCode": "330110-CG", "warning": "yellow",
     "dueAt": "2026-12-03T09:00:00Z", "createdAt": "2026-11-30T02:00:00Z"}
    """#

    private static let fullCase = #"""
    {"code": "330110-20261130-00001", "queryCode": "K7M2P9QX4R", "version": 9, "state": "closed", "stateName": "已结案",
     "channel": "citizen", "channelName": "群众上报", "description": "井盖\"破损\"\n/路口\\ 😀\u0001",
     "category": {"code": "0101", "name": "井盖"}, "urgency": "urgent", "location": {"lat": 30.25, "lon": 120},
     "address": "文一路 12 号", "outsideGrids": false, "grid": {"code": "330110001001-01", "name": "第一网格"},
     "townshipCode": "330110001", "centre": {"code": "330110", "name": "区综治中心"},
     "leadDepartment": {"code": "330110-CG", "name": "城管局"},
     "coDepartments": [{"code": "330110-ZJ", "name": "住建局"}, {"code": "330110-SW", "name": "水务局"}],
     "assignedGrid": "330110001001-02", "handler": "handler-330110-cg", "reporterName": "张三", "reporterPhone": "138****5678",
     "canRevealContact": true, "anonymous": false, "hotlineNumber": "12345", "hotlineTicket": "RX-2026-001",
     "petitionKind": "visit", "result": "已修复", "rating": "satisfied", "masterCode": "330110-20261129-00007",
     "counters": {"returns": 1, "reworks": 2, "reminders": 3, "supervisions": 4, "reopens": 5, "escalations": 6, "pushDowns": 7, "merged": 8},
     "extensionRequested": true, "escalationRequested": true, "resolvedOnSpot": true,
     "allowedActions": ["note", "reopen"],
     "attachments": [{"id": 3, "contentType": "image/jpeg", "size": 20480, "url": "/api/v1/cases/330110-20261130-00001/attachments/3"}],
     "duplicateHints": [\#(summary)],
     "deadlines": {"accept": \#(clock), "resolve": \#(clock), "reply": \#(clock)},
     "warning": "red", "overdueAt": "2026-12-01T09:00:01Z", "createdAt": "2026-11-30T01:02:03Z",
     "updatedAt": "2026-12-01T10:00:00Z", "closedAt": "2026-12-01T10:00:00Z"}
    """#

    private static let bareCase = #"""
    {"code": "330110-20261130-00003", "version": 1, "state": "reported", "stateName": "已上报", "channel": "anonymous",
     "channelName": "匿名", "description": "x", "urgency": "normal", "outsideGrids": true, "centre": {"code": "330110", "name": "330110"},
     "coDepartments": [], "canRevealContact": false, "anonymous": true,
     "counters": {"returns": 0, "reworks": 0, "reminders": 0, "supervisions": 0, "reopens": 0, "escalations": 0, "pushDowns": 0, "merged": 0},
     "extensionRequested": false, "escalationRequested": false, "resolvedOnSpot": false, "allowedActions": [], "attachments": [],
     "deadlines": {"accept": {"startedAt": "2026-11-30T01:02:03Z", "dueAt": "2026-11-30T05:02:03Z", "limit": "4小时"}},
     "warning": "none", "createdAt": "2026-11-30T01:02:03Z", "updatedAt": "2026-11-30T01:02:03Z"}
    """#

    private static let fullEvents = #"""
    [{"seq": 1, "action": "report", "actionName": "上报", "fromState": "reported", "toState": "reported",
      "actor": {"username": "grid669", "name": "网格员669", "role": "grid_worker", "orgCode": "330110007007-09", "departmentCode": "330110-CG"},
      "note": "现场\t照片/见附件", "isPublic": true, "attachmentIDs": [4, 5], "createdAt": "2025-11-30T16:21:21Z"},
     {"seq": 2, "action": "note", "actionName": "备注", "fromState": "registered", "toState": "registered",
      "actor": {"username": "dispatcher", "name": "调度员", "role": "dispatcher", "orgCode": "330110", "departmentCode": "330110-ZJ"},
      "note": "内部", "isPublic": false, "attachmentIDs": [6], "createdAt": "2025-12-01T10:27:53Z"}]
    """#

    private static let bareEvents = #"""
    [{"seq": 1, "action": "report", "actionName": "上报", "toState": "reported", "actor": {"name": "匿名", "role": "anonymous"},
      "isPublic": true, "attachmentIDs": [], "createdAt": "2025-11-30T16:21:21Z"}]
    """#

    private static let fullIntake = #"""
    {"code": "330110-20261130-00001", "queryCode": "K7M2P9QX4R", "state": "reported", "stateName": "已上报", "channel": "citizen",
     "gridCode": "330110001001-01", "outsideGrids": false, "version": 1, "trackURL": "/track/K7M2P9QX4R", "duplicateHints": [\#(summary)]}
    """#

    private static let bareIntake = #"""
    {"code": "330110-20261130-00001", "queryCode": "K7M2P9QX4R", "state": "reported", "stateName": "已上报", "channel": "anonymous",
     "outsideGrids": true, "version": 1, "trackURL": "/track/K7M2P9QX4R", "duplicateHints": []}
    """#

    private static let fullTrack = #"""
    {"code": "330110-20261130-00001", "state": "verified", "stateName": "已核查", "category": "井盖", "createdAt": "2026-11-30T01:02:03Z",
     "reply": "已修复\"井盖\"/路口", "rating": "satisfied", "canEvaluate": true,
     "timeline": [{"action": "report", "actionName": "上报", "stateName": "已上报", "by": "群众", "note": "现场 😀", "at": "2026-11-30T01:02:03Z"},
                  {"action": "submit_result", "actionName": "提交结果", "stateName": "已处置", "by": "城管局", "note": "已修复", "at": "2026-12-01T09:00:00Z"}],
     "photos": ["/api/v1/track/K7M2P9QX4R/photos/3"]}
    """#

    private static let bareTrack = #"""
    {"code": "330110-20261130-00003", "state": "reported", "stateName": "已上报", "createdAt": "2026-11-30T01:02:03Z",
     "canEvaluate": false, "timeline": [], "photos": []}
    """#

    private static let fullPage = #"{"items": [\#(summary), \#(summary)], "next": "330110-20261130-00002"}"#

    private static let counts = #"""
    {"received": 12, "registered": 11, "dispatched": 10, "respondedInTime": 9, "closed": 8, "closedOnTime": 7, "overdue": 1,
     "returned": 2, "reworked": 3, "satisfied": 5, "basicallySatisfied": 1, "unsatisfied": 1, "reopened": 4}
    """#

    private static let ranked = #"""
    {"position": 1, "code": "330110001001-01", "name": "西溪\"一\"网格/东", "value": 0.875, "display": "87.5%", "volume": 12,
     "counts": \#(counts)}
    """#

    private static let fullRanking = #"""
    {"area": {"code": "330110", "name": "余杭区"}, "period": {"token": "2026-11", "kind": "month", "label": "2026年11月",
     "first": "2026-11-01", "last": "2026-11-30"}, "level": "grid", "rate": "resolution",
     "items": [\#(ranked), \#(ranked)], "red": [\#(ranked)], "black": [\#(ranked)]}
    """#

    private static let bareRanking = #"""
    {"area": {"code": "330110", "name": "余杭区"}, "period": {"token": "2026", "kind": "year", "label": "2026年",
     "first": "2026-01-01", "last": "2026-12-31"}, "level": "township", "rate": "satisfaction",
     "items": [{"position": 1, "code": "330110001", "name": "西溪镇", "display": "—", "volume": 0, "counts": \#(counts)}],
     "red": [], "black": []}
    """#
}
