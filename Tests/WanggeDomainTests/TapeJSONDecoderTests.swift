import Foundation
@testable import WanggeDomain
import XCTest

/// Stored JSON (a case's snapshot and clocks) is read with `TapeJSONDecoder`; it must read what
/// Foundation's `JSONDecoder` reads, and refuse what it refuses.
final class TapeJSONDecoderTests: XCTestCase {
    private typealias Tree = JSONSamples.Tree

    func testWhatJSONEncoderWroteReadsBackTheSameAsWithJSONDecoder() throws {
        var rng = SplitMix64(seed: 2026_12_01)
        let encoder = JSONEncoder()
        for round in 0..<400 {
            encoder.outputFormatting = round.isMultiple(of: 2) ? [.sortedKeys] : [.prettyPrinted]
            let data = try encoder.encode(JSONSamples.tree(&rng, depth: 3))
            let expected = try JSONDecoder().decode(Tree.self, from: data)
            XCTAssertEqual(try TapeJSONDecoder().decode(Tree.self, from: data), expected)
            XCTAssertEqual(try TapeJSONDecoder().decode(Tree.self, from: String(decoding: data, as: UTF8.self)), expected)
        }
    }

    func testEscapesAndSurrogatePairsReadAsTheirCharacters() throws {
        let text = #"["a\"b\\c\/d\n\t\u0041\u7f51\ud83d\ude00", "\u00e9"]"#
        XCTAssertEqual(try TapeJSONDecoder().decode([String].self, from: text), ["a\"b\\c/d\n\tA网😀", "é"])
        XCTAssertEqual(try TapeJSONDecoder().decode([String].self, from: text), try JSONDecoder().decode([String].self, from: Data(text.utf8)))
    }

    func testNumbersReadAsFoundationReadsThem() throws {
        XCTAssertEqual(try TapeJSONDecoder().decode([Int].self, from: "[0, -5, 1e3, 2.0, 9223372036854775807]"),
                       [0, -5, 1000, 2, Int.max])
        XCTAssertEqual(try TapeJSONDecoder().decode([Double].self, from: "[0.1, -2.5e-3, 817826236.8302594]"),
                       [0.1, -0.0025, 817_826_236.830_259_4])
        for refused in ["[2.5]", "[9223372036854775808]", "[1e400]"] {
            XCTAssertThrowsError(try TapeJSONDecoder().decode([Int].self, from: refused), refused)
        }
        XCTAssertThrowsError(try TapeJSONDecoder().decode([UInt8].self, from: "[256]"))
    }

    /// Text outside RFC 8259 is refused whole, even where Foundation would let it pass because the
    /// value was never asked for (it checks numbers and escapes only when decoding them).
    func testBrokenTextIsRefused() {
        let broken = ["", "{", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[\"a]", "[\"\u{01}\"]", "[\"\\x\"]",
                      "[\"\\u12\"]", "[tru]", "[nul]", "{\"a\" 1}", "{a:1}", "[1] 2", "[1 2]", String(repeating: "[", count: 300)]
        for text in broken {
            XCTAssertThrowsError(try TapeJSONDecoder().decode(JSONValueProbe.self, from: text), text)
        }
    }

    private struct JSONValueProbe: Decodable {
        init(from decoder: any Decoder) throws { _ = try? decoder.singleValueContainer() }
    }

    /// A missing key, a wrong type and a null where a value must be come out as the same kinds of
    /// error, at the same coding path, as Foundation's.
    func testErrorsAreTheKindsFoundationThrows() {
        struct Inner: Decodable { let count: Int }
        struct Outer: Decodable { let name: String; let inner: [Inner] }
        let cases = [#"{"inner": []}"#, #"{"name": 5, "inner": []}"#, #"{"name": null, "inner": []}"#,
                     #"{"name": "a", "inner": [{"count": 1}, {"count": "x"}]}"#, #"{"name": "a", "inner": [{}]}"#]
        for text in cases {
            let ours = describe { _ = try TapeJSONDecoder().decode(Outer.self, from: text) }
            let theirs = describe { _ = try JSONDecoder().decode(Outer.self, from: Data(text.utf8)) }
            XCTAssertEqual(ours, theirs, text)
            XCTAssertNotEqual(ours, "none", text)
        }
    }

    private func describe(_ body: () throws -> Void) -> String {
        do { try body(); return "none" } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let context): return "keyNotFound \(key.stringValue) at \(context.codingPath.map(\.stringValue))"
            case .typeMismatch(_, let context): return "typeMismatch at \(context.codingPath.map(\.stringValue))"
            case .valueNotFound(_, let context): return "valueNotFound at \(context.codingPath.map(\.stringValue))"
            case .dataCorrupted(let context): return "dataCorrupted at \(context.codingPath.map(\.stringValue))"
            @unknown default: return "other"
            }
        } catch { return "not a DecodingError" }
    }

    /// The clocks are read from the tape directly (`DeadlinesFromTape.swift`), not through their
    /// `init(from:)`: what either encoder wrote reads back as `JSONDecoder` reads it, and broken clocks
    /// fail with the same kinds of error at the same paths.
    func testClocksReadDirectlyAsJSONDecoderReadsThem() throws {
        var rng = SplitMix64(seed: 2026_12_02)
        func clock() -> Deadline? {
            guard Int.random(in: 0..<4, using: &rng) > 0 else { return nil }
            let start = Date(timeIntervalSinceReferenceDate: Double.random(in: 6e8...9e8, using: &rng))
            let duration: SLADuration = Bool.random(using: &rng) ? .minutes(Int.random(in: 1...600, using: &rng))
                                                                 : .workingDays(Int.random(in: 1...20, using: &rng))
            return Deadline(startedAt: start, dueAt: start.addingTimeInterval(Double.random(in: 60...9e5, using: &rng)),
                            metAt: Bool.random(using: &rng) ? start.addingTimeInterval(Double.random(in: 1...1e6, using: &rng)) : nil,
                            duration: duration)
        }
        let foundation = JSONEncoder(), streaming = StreamingJSONEncoder(dates: .secondsSinceReferenceDate)
        foundation.outputFormatting = [.sortedKeys]
        for _ in 0..<200 {
            let clocks = CaseDeadlines(accept: clock(), resolve: clock(), reply: clock())
            let written = Data(try streaming.encode(clocks)), expected = try foundation.encode(clocks)
            XCTAssertEqual(try JSONSerialization.jsonObject(with: written) as? NSObject, try JSONSerialization.jsonObject(with: expected) as? NSObject)
            for data in [expected, written] {
                XCTAssertEqual(try TapeJSONDecoder().decode(CaseDeadlines.self, from: data), try JSONDecoder().decode(CaseDeadlines.self, from: data))
                XCTAssertEqual(try TapeJSONDecoder().decode(CaseDeadlines.self, from: data), clocks)
            }
            // An Open311 request's expected time, read alone from the same stored texts.
            for data in [expected, written] {
                XCTAssertEqual(CaseDeadlines.resolveDue(storedJSON: String(decoding: data, as: UTF8.self)), clocks.resolve?.dueAt)
            }
            // A map's colour: the running clock alone, read from the same stored texts; also when clocks fall due at
            // the same moment (the first of them runs).
            var tied = clocks
            if let due = clocks.accept?.dueAt {
                tied.resolve?.dueAt = due
                tied.reply?.dueAt = due
            }
            for stored in [clocks, tied] {
                for data in [try foundation.encode(stored), Data(try streaming.encode(stored))] {
                    XCTAssertEqual(CaseDeadlines.running(storedJSON: String(decoding: data, as: UTF8.self)), stored.running)
                }
            }
        }

        let clock = #""startedAt": 1, "dueAt": 2"#
        let texts = ["{}", "[]", #"{"accept": null, "extra": 1}"#, #"{"accept": 5}"#, #"{"accept": {"dueAt": 2, "duration": {"minutes": {"_0": 1}}}}"#,
                     #"{"resolve": {\#(clock), "duration": {"minutes": {"_0": 1}}, "metAt": null}}"#,
                     #"{"resolve": {\#(clock), "duration": {"minutes": {"_0": 1}}, "metAt": "x"}}"#,
                     #"{"reply": {\#(clock), "duration": {"minutes": {"_0": 1}, "workingDays": {"_0": 2}}}}"#,
                     #"{"reply": {\#(clock), "duration": {"hours": {"_0": 1}}}}"#,
                     #"{"reply": {\#(clock), "duration": {"hours": {"_0": 1}, "workingDays": {"_0": 2}}}}"#,
                     #"{"reply": {\#(clock), "duration": {"workingDays": {}}}}"#,
                     #"{"reply": {\#(clock), "duration": {"workingDays": 3}}}"#,
                     #"{"reply": {\#(clock), "duration": null}}"#, #"{"reply": {\#(clock)}}"#,
                     #"{"accept": {"startedAt": null, "dueAt": 2, "duration": {"minutes": {"_0": 1}}}}"#]
        for text in texts {
            XCTAssertEqual(describe { _ = try TapeJSONDecoder().decode(CaseDeadlines.self, from: text) },
                           describe { _ = try JSONDecoder().decode(CaseDeadlines.self, from: Data(text.utf8)) }, text)
        }
        // Foundation gives a number that does not fit no coding path; the tape names where it is.
        XCTAssertThrowsError(try TapeJSONDecoder().decode(CaseDeadlines.self, from: #"{"reply": {\#(clock), "duration": {"workingDays": {"_0": 2.5}}}}"#))
    }

    /// The snapshot is read from the tape directly too (`CaseSnapshotFromTape.swift`). A snapshot
    /// with every field set must read back whole, so a field added to `CaseSnapshot` but not read
    /// there fails this test; broken snapshots fail as with `JSONDecoder`.
    func testSnapshotsReadDirectlyAsJSONDecoderReadsThem() throws {
        var full = CaseSnapshot(state: .dispatched, centreOrgCode: "330110004", gridCode: "330110004003-05", categoryCode: "0802",
                                reporterUsername: "citizen1")
        full.leadDepartmentCode = "330110-GA"
        full.coDepartmentCodes = ["330110-CG", "330110-\"网格\""]
        full.assignedGridCode = "330110004003-06"
        full.handlerUsername = "handler"
        full.resultBy = "worker"
        full.resolvedOnSpot = true
        full.rating = .basicallySatisfied
        full.masterCode = "330110-20261201-00001"
        full.extensionRequested = true
        full.requestedExtensionHours = 48
        full.extensionsGranted = 1
        full.extensionHoursGranted = 24
        full.escalationRequested = true
        full.counters.returns = 1
        full.counters.reworks = 2
        full.counters.reminders = 3
        full.counters.supervisions = 4
        full.counters.reopens = 5
        full.counters.escalations = 6
        full.counters.pushDowns = 7
        full.counters.merged = 8
        let bare = CaseSnapshot(centreOrgCode: "")
        for (field, bareField) in zip(Mirror(reflecting: full).children, Mirror(reflecting: bare).children) {
            XCTAssertNotEqual("\(field.value)", "\(bareField.value)", "set \(field.label ?? "") in this test's snapshot")
        }

        let foundation = JSONEncoder(), streaming = StreamingJSONEncoder(dates: .secondsSinceReferenceDate)
        foundation.outputFormatting = [.sortedKeys]
        for snapshot in [full, bare, CaseSnapshot(state: .closed, centreOrgCode: "330110", gridCode: nil)] {
            let written = Data(try streaming.encode(snapshot)), expected = try foundation.encode(snapshot)
            XCTAssertEqual(try JSONSerialization.jsonObject(with: written) as? NSObject, try JSONSerialization.jsonObject(with: expected) as? NSObject)
            for data in [expected, written] {
                XCTAssertEqual(try TapeJSONDecoder().decode(CaseSnapshot.self, from: data), snapshot)
                XCTAssertEqual(try TapeJSONDecoder().decode(CaseSnapshot.self, from: data), try JSONDecoder().decode(CaseSnapshot.self, from: data))
            }
        }

        let valid = String(decoding: try foundation.encode(bare), as: UTF8.self)
        let broken = [valid.replacingOccurrences(of: #""state":"reported""#, with: #""state":"lost""#),
                      valid.replacingOccurrences(of: #","state":"reported""#, with: ""),
                      valid.replacingOccurrences(of: #""coDepartmentCodes":[]"#, with: #""coDepartmentCodes":["a",1]"#),
                      valid.replacingOccurrences(of: #""coDepartmentCodes":[]"#, with: #""coDepartmentCodes":"a""#),
                      valid.replacingOccurrences(of: #""centreOrgCode":"""#, with: #""centreOrgCode":null"#),
                      valid.replacingOccurrences(of: #""extensionsGranted":0"#, with: #""extensionsGranted":"0""#),
                      valid.replacingOccurrences(of: #""reworks":0,"#, with: ""),
                      valid.replacingOccurrences(of: #""counters":{"#, with: #""rating":"meh","counters":{"#),
                      valid.replacingOccurrences(of: #""counters":{"#, with: #""rating":null,"gridCode":7,"counters":{"#),
                      "[]"]
        for text in broken {
            XCTAssertNotEqual(text, valid)
            let ours = describe { _ = try TapeJSONDecoder().decode(CaseSnapshot.self, from: text) }
            XCTAssertEqual(ours, describe { _ = try JSONDecoder().decode(CaseSnapshot.self, from: Data(text.utf8)) }, text)
            XCTAssertNotEqual(ours, "none", text)
        }
    }

    /// A report's body is read from the tape directly (`IntakeInputFromTape.swift`): the same values and the same errors
    /// (which the API answers with) as Foundation's `JSONDecoder`.
    func testReportsReadDirectlyAsJSONDecoderReadsThem() throws {
        let full = IntakeInput(channel: "hotline", description: "小区门口\"路灯\"不亮\n已两天", categoryCode: "0101",
                               location: .init(lat: 30.2741, lon: 120.1551), address: "文一路 12 号", gridCode: "330110001001-01",
                               reporterName: "王女士", reporterPhone: "13800138000", anonymous: false, urgency: "urgent",
                               hotlineNumber: "12345", hotlineTicket: "T-20261206-1", petitionKind: "letter", resolvedOnSpot: true,
                               result: "已修复", attributes: ["floor": ["3"], "kinds": ["a", "b"]])
        let bare = IntakeInput(channel: "", description: "")
        for (field, bareField) in zip(Mirror(reflecting: full).children, Mirror(reflecting: bare).children) {
            XCTAssertNotEqual("\(field.value)", "\(bareField.value)", "set \(field.label ?? "") in this test's report")
        }
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys]
        let bodies = [String(decoding: try sorted.encode(full), as: UTF8.self), String(decoding: try sorted.encode(bare), as: UTF8.self),
                      #"{"channel": "citizen", "description": "井盖破损", "location": {"lon": 120, "lat": 30, "alt": 5}, "extra": [1, {}]}"#,
                      #"{"description": "a", "channel": "citizen", "anonymous": null, "location": null}"#]
        for body in bodies {
            let ours = try TapeJSONDecoder().decode(IntakeInput.self, from: body)
            let theirs = try JSONDecoder().decode(IntakeInput.self, from: Data(body.utf8))
            XCTAssertEqual(try sorted.encode(ours), try sorted.encode(theirs), body)
        }
        // A repeated key: the last value, as the tape's keyed containers read it (Foundation's decoder here takes the first).
        XCTAssertEqual(try TapeJSONDecoder().decode(IntakeInput.self, from: #"{"channel": "citizen", "description": "a", "channel": "app"}"#).channel, "app")

        let broken = [#"{"description": "a"}"#, #"{"channel": "citizen", "description": null}"#, #"{"channel": 7, "description": "a"}"#,
                      #"{"channel": "citizen", "description": "a", "location": [30, 120]}"#,
                      #"{"channel": "citizen", "description": "a", "location": {"lat": 30}}"#,
                      #"{"channel": "citizen", "description": "a", "location": {"lat": "30", "lon": 120}}"#,
                      #"{"channel": "citizen", "description": "a", "location": {"lat": null, "lon": 120}}"#,
                      #"{"channel": "citizen", "description": "a", "anonymous": "yes"}"#,
                      #"{"channel": "citizen", "description": "a", "urgency": 5}"#,
                      #"{"channel": "citizen", "description": "a", "attributes": {"floor": "3"}}"#,
                      #"{"channel": "citizen", "description": "a", "attributes": [["3"]]}"#,
                      #"{"channel": "citizen", "description": "a", "resolvedOnSpot": 1, "urgency": 5}"#,
                      "[]", "\"report\""]
        for text in broken {
            let ours = describe { _ = try TapeJSONDecoder().decode(IntakeInput.self, from: text) }
            XCTAssertEqual(ours, describe { _ = try JSONDecoder().decode(IntakeInput.self, from: Data(text.utf8)) }, text)
            XCTAssertNotEqual(ours, "none", text)
        }
    }

    func testARepeatedKeyReadsItsLastValue() throws {
        struct One: Decodable, Equatable { let a: Int }
        XCTAssertEqual(try TapeJSONDecoder().decode(One.self, from: #"{"a": 1, "a": 2}"#), One(a: 2))
    }
}
