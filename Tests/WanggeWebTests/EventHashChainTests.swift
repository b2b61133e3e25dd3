import Foundation
import WanggePersistence
import XCTest

/// Chains already stored must keep verifying: an event's hash is always the one of its fields laid
/// out flat (`hash(fields:)`), however the writer puts it together (intake makes the part after the
/// case id before the case has one).
final class EventHashChainTests: XCTestCase {
    func testAnEventHashesAsItsFieldsLaidOutFlat() {
        let event = CaseEventModel()
        event.caseID = 4_217
        event.seq = 2
        event.action = "resolve_on_spot"
        event.fromState = "reported"
        event.toState = "handled"
        event.actorUsername = "worker1"
        event.actorName = "网格员一"
        event.actorRole = "grid_worker"
        event.actorOrgCode = "330110001001-01"
        event.actorDepartmentCode = nil
        event.note = "已清理|完毕:1"
        event.isPublic = true
        event.payload = #"{"action":"resolveOnSpot"}"#
        event.createdAt = Date(timeIntervalSince1970: 1_795_000_000.123)
        event.placeCode = "330110001001-01"
        event.onTime = true
        let previous = "ab12"
        let flat = EventHashChain.hash(fields: [previous, "4217", "2", "resolve_on_spot", "reported", "handled", "worker1", "网格员一", "grid_worker",
                                                "330110001001-01", "", "已清理|完毕:1", "1", #"{"action":"resolveOnSpot"}"#, "1795000000123",
                                                "place=330110001001-01", "on_time=1"])
        XCTAssertEqual(EventHashChain.hash(event, previous: previous), flat)
        // The layout written out: lengths, colons and bars, hashed with SHA-256 (checked with Python's hashlib).
        XCTAssertEqual(flat, "a9b5df41a09a24cca2301bd858e0fde1a6e682aed7e97f8226954d1b303af63c")
    }
}
