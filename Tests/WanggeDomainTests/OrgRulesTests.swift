import Foundation
import XCTest
@testable import WanggeDomain

final class OrgRulesTests: XCTestCase {
    func testLevelsChainFromCityToGrid() {
        XCTAssertNil(OrgLevel.city.parentLevel)
        XCTAssertEqual(OrgLevel.grid.parentLevel, .village)
        XCTAssertEqual(OrgLevel.county.childLevel, .township)
        XCTAssertNil(OrgLevel.grid.childLevel)
        XCTAssertTrue(OrgLevel.township < OrgLevel.village)
    }

    /// A code alone tells its level and every unit above it; anything else tells nothing.
    func testACodeTellsItsLevelAndAncestry() {
        let grid = OrgAncestry(cityCode: "330100", countyCode: "330110", townshipCode: "330110001", villageCode: "330110001001",
                               gridCode: "330110001001-01")
        let expected: [(String, OrgLevel?, OrgAncestry)] = [
            ("330100", .city, OrgAncestry(cityCode: "330100")),
            ("330110", .county, OrgAncestry(cityCode: "330100", countyCode: "330110")),
            ("330110001", .township, OrgAncestry(cityCode: "330100", countyCode: "330110", townshipCode: "330110001")),
            ("330110001001", .village, OrgAncestry(cityCode: "330100", countyCode: "330110", townshipCode: "330110001",
                                                   villageCode: "330110001001")),
            ("330110001001-01", .grid, grid),
            ("", nil, OrgAncestry()),
            ("3301", nil, OrgAncestry()),
            // Twelve bytes, four characters: not a village.
            ("杭州西湖", nil, OrgAncestry()),
            ("３３０１１０", nil, OrgAncestry()),
        ]
        for (code, level, ancestry) in expected {
            XCTAssertEqual(OrgCode.level(of: code), level, code)
            XCTAssertEqual(OrgCode.ancestry(of: code), ancestry, code)
        }
        XCTAssertEqual(OrgCode.parent(of: "330110001001-01"), "330110001001")
        XCTAssertEqual(OrgCode.parent(of: "330110"), "330100")
        XCTAssertNil(OrgCode.parent(of: "330100"))
    }

    func testCodesMustExtendTheirParent() throws {
        XCTAssertNoThrow(try OrgCode.validate("330110", level: .county, parentCode: "330100"))
        XCTAssertNoThrow(try OrgCode.validate("330110001", level: .township, parentCode: "330110"))
        XCTAssertNoThrow(try OrgCode.validate("330110001001", level: .village, parentCode: "330110001"))
        XCTAssertNoThrow(try OrgCode.validate("330110001001-01", level: .grid, parentCode: "330110001001"))
        XCTAssertNoThrow(try OrgCode.validate("330110001001-123", level: .grid, parentCode: "330110001001"))

        let bad: [(String, OrgLevel, String?)] = [
            ("33011", .county, "330100"),                 // too short
            ("440110", .county, "330100"),                // another province
            ("330110002", .township, "330111"),           // another county
            ("330110001", .township, "330110001"),        // equal to the parent... and wrong length
            ("330110001001-1", .grid, "330110001001"),    // grid number too short
            ("330110001002-01", .grid, "330110001001"),   // another village
            ("33011000100a", .village, "330110001"),      // not digits
            ("３３０１１０", .county, "330100"),            // full-width digits
        ]
        for (code, level, parent) in bad {
            XCTAssertThrowsError(try OrgCode.validate(code, level: level, parentCode: parent), code) { error in
                XCTAssertEqual((error as? AppError)?.field, "code")
                XCTAssertFalse((error as? AppError)?.messageZH.isEmpty ?? true)
            }
        }
    }

    func testAncestryScopesAndPath() {
        let grid = OrgAncestry(cityCode: "330100").child(level: .county, code: "330110").child(level: .township, code: "330110001")
            .child(level: .village, code: "330110001001").child(level: .grid, code: "330110001001-01")
        XCTAssertEqual(grid.path, "/330100/330110/330110001/330110001001/330110001001-01/")
        XCTAssertTrue(OrgScope(level: .township, code: "330110001").contains(grid))
        XCTAssertFalse(OrgScope(level: .township, code: "330110002").contains(grid))
        XCTAssertTrue(OrgScope(level: .county, code: "330110").contains(grid))
    }

    func testActorScopes() {
        let worker = Actor(userID: UUID(), username: "g", displayName: "g", role: .gridWorker, orgCode: "330110001001",
                           orgLevel: .village, gridCodes: ["330110001001-01"])
        let ownGrid = OrgAncestry(townshipCode: "330110001", villageCode: "330110001001", gridCode: "330110001001-01")
        let otherGrid = OrgAncestry(townshipCode: "330110001", villageCode: "330110001001", gridCode: "330110001001-02")
        XCTAssertTrue(worker.canSee(ownGrid))
        XCTAssertFalse(worker.canSee(otherGrid))
        XCTAssertThrowsError(try worker.requireAdmin())

        let dispatcher = Actor(userID: UUID(), username: "d", displayName: "d", role: .dispatcher, orgCode: "330110001", orgLevel: .township)
        XCTAssertTrue(dispatcher.canSee(otherGrid))
        XCTAssertFalse(dispatcher.canSee(OrgAncestry(countyCode: "330110")))
    }

    func testRolesParseWithAClearMessage() {
        XCTAssertEqual(try Role.parse("grid_worker"), .gridWorker)
        XCTAssertThrowsError(try Role.parse("mayor")) { error in
            XCTAssertTrue((error as? AppError)?.messageZH.contains("未知的角色") ?? false)
        }
        XCTAssertTrue(Role.handler.needsDepartment)
        XCTAssertFalse(Role.citizen.isStaff)
    }

    func testPasswordAndUsernamePolicies() {
        XCTAssertThrowsError(try PasswordPolicy.validate("1234567"))
        XCTAssertNoThrow(try PasswordPolicy.validate("12345678"))
        XCTAssertThrowsError(try PasswordPolicy.validate(String(repeating: "密", count: 30)), "90 bytes is past bcrypt's 72")
        XCTAssertThrowsError(try PasswordPolicy.validate("Leader-2026", username: "leader-2026"))
        XCTAssertNoThrow(try UsernamePolicy.validate("handler-cg"))
        XCTAssertThrowsError(try UsernamePolicy.validate("a"))
        XCTAssertThrowsError(try UsernamePolicy.validate("用户"))
    }

    func testLockoutAfterFiveFailuresForFifteenMinutes() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var state = LoginLockout()
        for i in 1...4 {
            state = state.afterFailure(at: t0)
            XCTAssertEqual(state.failedAttempts, i)
            XCTAssertFalse(state.isLocked(at: t0))
        }
        state = state.afterFailure(at: t0)
        XCTAssertTrue(state.isLocked(at: t0))
        XCTAssertTrue(state.isLocked(at: t0.addingTimeInterval(15 * 60 - 1)))
        XCTAssertFalse(state.isLocked(at: t0.addingTimeInterval(15 * 60)))
        // After the lock has run out, one more failure does not lock again at once.
        let later = state.afterFailure(at: t0.addingTimeInterval(16 * 60))
        XCTAssertEqual(later.failedAttempts, 1)
        XCTAssertFalse(later.isLocked(at: t0.addingTimeInterval(16 * 60)))
        XCTAssertTrue(LoginLockout.lockedError(until: t0.addingTimeInterval(600), now: t0).messageZH.contains("10 分钟"))
    }
}
