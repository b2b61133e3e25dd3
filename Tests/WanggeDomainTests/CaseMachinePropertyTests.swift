import Foundation
import XCTest
@testable import WanggeDomain

/// Random walks through the closed loop by realistic people with random (often wrong) parameters.
/// Whatever happens, the loop's invariants hold after every step that the machine accepts, and the
/// event log of accepted steps replays to the same case. Seeded, so a failure reproduces.
final class CaseMachinePropertyTests: XCTestCase {
    /// A person in the demo county. Their relation to a case is worked out from the case, as the service does.
    struct Person {
        var username: String
        var isDispatcher = false
        var isLeader = false
        var department: String?
        var grid: String?
        var isReporter = false

        func relation(to s: CaseSnapshot) -> CaseRelation {
            var r: CaseRelation = []
            if isDispatcher { r.insert(.dispatcherInCharge) }
            if isLeader { r.insert(.leader) }
            if let department {
                if s.leadDepartmentCode == department { r.insert(.leadHandler) }
                if s.coDepartmentCodes.contains(department) { r.insert(.coHandler) }
            }
            if let grid {
                if s.assignedGridCode == grid { r.insert(.assignedGridWorker) }
                if s.gridCode == grid {
                    r.insert(.caseGridWorker)
                } else if let caseGrid = s.gridCode, CaseMachinePropertyTests.grids.contains(caseGrid) {
                    // All demo grids lie in the same village.
                    r.insert(.villageGridWorker)
                }
            }
            if isReporter, s.reporterUsername == username { r.insert(.reporter) }
            if s.resultBy == username { r.insert(.resultAuthor) }
            if r.isEmpty { r.insert(.viewer) }
            return r
        }
    }

    static let grids = ["330110001001-01", "330110001001-02"]
    static let people: [Person] = [
        Person(username: "dispatcher", isDispatcher: true),
        Person(username: "leader", isLeader: true),
        Person(username: "d1.alice", department: "D1"),
        Person(username: "d1.bob", department: "D1"),
        Person(username: "d2.chen", department: "D2"),
        Person(username: "d3.deng", department: "D3"),
        Person(username: "gw.01", grid: grids[0]),
        Person(username: "gw.02", grid: grids[1]),
        Person(username: "citizen", isReporter: true),
        Person(username: "stranger"),
    ]

    struct Walker {
        var rng: SplitMix64

        mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        mutating func pick<T>(_ options: [T]) -> T { options[below(options.count)] }

        /// Mostly a button the person is offered (as on the case page), sometimes any action at all
        /// (as through the API); parameters are mostly sensible and sometimes missing or wrong.
        mutating func command(offered: [CaseAction]) -> CaseCommand {
            let action = !offered.isEmpty && below(4) != 0 ? pick(offered) : pick(CaseAction.allCases.filter { $0 != .report })
            let grids = CaseMachinePropertyTests.grids
            return CaseCommand(
                action,
                note: pick(["情况说明", "群众反映仍未解决", "情况说明", nil, "", "  "]),
                categoryCode: pick([nil, "C01", "C02"]),
                departmentCode: pick([nil, nil, nil, "", "D1", "D1", "D2"]),
                coDepartmentCodes: pick([nil, nil, [], ["D2"], ["D1", "D3", "D3"], [""]]),
                gridCode: pick([nil, nil, nil, "", grids[0], grids[1]]),
                targetOrgCode: pick(["330100", "330110001", nil, ""]),
                masterCode: pick(["330110-20261122-00001", nil]),
                rating: pick([.satisfied, .basicallySatisfied, .unsatisfied, .unsatisfied, nil]),
                result: pick(["已处置完毕", "已处置完毕", nil, ""]),
                extensionHours: pick([24, 72, 24, nil, 0, 5000])
            )
        }
    }

    func checkInvariants(_ s: CaseSnapshot, _ context: @autoclosure () -> String) {
        XCTAssertEqual(s.extensionRequested, s.requestedExtensionHours != nil, "pending extension and its hours: \(context())")
        if s.state == .dispatched || s.state == .inProgress {
            XCTAssertTrue(s.isAssigned, "a case being handled belongs to someone: \(context())")
        }
        if s.state == .handled { XCTAssertNotNil(s.resultBy, "a handled case names its result author: \(context())") }
        if s.state == .evaluated { XCTAssertNotNil(s.rating, "an evaluated case has a rating: \(context())") }
        if s.state == .merged { XCTAssertNotNil(s.masterCode, "a merged case names its master: \(context())") }
    }

    func checkCountersDidNotDecrease(_ old: CaseSnapshot, _ new: CaseSnapshot, _ context: @autoclosure () -> String) {
        let fields: [(String, KeyPath<CaseSnapshot.Counters, Int>)] = [
            ("returns", \.returns), ("reworks", \.reworks), ("reminders", \.reminders), ("supervisions", \.supervisions),
            ("reopens", \.reopens), ("escalations", \.escalations), ("pushDowns", \.pushDowns), ("merged", \.merged),
        ]
        for (name, keyPath) in fields {
            XCTAssertGreaterThanOrEqual(new.counters[keyPath: keyPath], old.counters[keyPath: keyPath], "\(name): \(context())")
        }
        XCTAssertGreaterThanOrEqual(new.extensionsGranted, old.extensionsGranted, context())
        XCTAssertGreaterThanOrEqual(new.extensionHoursGranted, old.extensionHoursGranted, context())
    }

    func testRandomWalksKeepTheLoopsInvariantsAndReplayExactly() throws {
        var walker = Walker(rng: SplitMix64(seed: 0x57A9_6E00_2026_1122))
        var statesSeen = Set<CaseState>()
        var actionsAccepted = Set<CaseAction>()
        var accepted = 0
        var failures = 0

        for walk in 0..<2_000 {
            let initial = CaseSnapshot(centreOrgCode: "330110", gridCode: walker.pick([nil, Self.grids[0], Self.grids[1]]),
                                       categoryCode: walker.pick([nil, "C01"]), reporterUsername: walker.pick([nil, "citizen"]))
            checkInvariants(initial, "walk \(walk), initial")
            var current = initial
            var log: [(command: CaseCommand, actorUsername: String)] = []
            statesSeen.insert(current.state)

            for step in 0..<(1 + walker.below(40)) {
                let person = walker.pick(Self.people)
                let relation = person.relation(to: current)
                let command = walker.command(offered: CaseMachine.allowedActions(current, relation: relation))
                let next: CaseSnapshot
                do {
                    next = try CaseMachine.perform(current, command, relation: relation, actorUsername: person.username)
                } catch is AppError {
                    continue
                } catch {
                    XCTFail("walk \(walk) step \(step): a non-AppError escaped: \(error)")
                    continue
                }
                let context = "walk \(walk) step \(step): \(person.username) did \(command.action.rawValue) from \(current.state.rawValue)"
                accepted += 1
                actionsAccepted.insert(command.action)

                XCTAssertTrue(CaseMachine.canStart(command.action, from: current.state), context)
                XCTAssertFalse(CaseMachine.permittedRelations(command.action).isDisjoint(with: relation), context)
                XCTAssertTrue(CaseMachine.allowedActions(current, relation: relation).contains(command.action),
                              "an accepted action was offered as a button: \(context)")
                XCTAssertEqual(next.state, LoopTable.target(command.action, from: current), context)
                if LoopTable.terminal.contains(current.state) {
                    XCTAssertEqual(next.state, current.state, "terminal states never change: \(context)")
                }
                if command.action == .verifyPass || command.action == .verifyFail {
                    XCTAssertNotEqual(current.resultBy, person.username, "nobody verifies their own result: \(context)")
                }
                checkCountersDidNotDecrease(current, next, context)
                checkInvariants(next, context)

                log.append((command, person.username))
                current = next
                statesSeen.insert(current.state)
            }

            do {
                let replayed = try CaseMachine.replay(initial: initial, events: log)
                XCTAssertEqual(replayed, current, "walk \(walk): replaying \(log.count) events")
            } catch {
                XCTFail("walk \(walk): replaying \(log.count) accepted events failed: \(error)")
                failures += 1
            }
            if failures > 5 { break }
        }

        // Guard against a generator that never gets anywhere: the walks must reach every state and
        // exercise every action a person can take.
        XCTAssertEqual(statesSeen, Set(CaseState.allCases), "states reached")
        let personActions = Set(CaseAction.allCases.filter { !CaseMachine.permittedRelations($0).isEmpty })
        XCTAssertEqual(actionsAccepted, personActions, "actions accepted")
        XCTAssertGreaterThan(accepted, 5_000, "accepted steps")
    }

    func testRejectedAttemptsLeaveNoTraceOnReplay() throws {
        // The log holds only accepted events; a refused attempt between them changes nothing.
        var s = CaseSnapshot(centreOrgCode: "330110", gridCode: Self.grids[0], reporterUsername: "citizen")
        let initial = s
        var log: [(command: CaseCommand, actorUsername: String)] = []
        let script: [(CaseCommand, String, Bool)] = [
            (CaseCommand(.dispatch, departmentCode: "D1"), "dispatcher", false),          // not registered yet
            (CaseCommand(.register), "dispatcher", true),
            (CaseCommand(.dispatch, departmentCode: "D1", gridCode: Self.grids[0]), "dispatcher", false),
            (CaseCommand(.dispatch, departmentCode: "D1", coDepartmentCodes: ["D2"]), "dispatcher", true),
            (CaseCommand(.accept), "d2.chen", false),                                   // a co-handler cannot accept
            (CaseCommand(.accept), "d1.alice", true),
            (CaseCommand(.submitResult, result: "已修复"), "d1.alice", true),
            (CaseCommand(.verifyPass), "d1.alice", false),                              // own result
            (CaseCommand(.verifyPass), "gw.02", false),                                 // not on the spot
            (CaseCommand(.verifyPass), "gw.01", true),
            (CaseCommand(.evaluate, rating: .unsatisfied), "citizen", true),
            (CaseCommand(.reopen), "dispatcher", true),
        ]
        for (command, username, shouldSucceed) in script {
            let person = try XCTUnwrap(Self.people.first { $0.username == username })
            do {
                s = try CaseMachine.perform(s, command, relation: person.relation(to: s), actorUsername: username)
                log.append((command, username))
                XCTAssertTrue(shouldSucceed, "\(username) \(command.action.rawValue) should have been refused")
            } catch {
                XCTAssertFalse(shouldSucceed, "\(username) \(command.action.rawValue): \(error)")
            }
        }
        XCTAssertEqual(s.state, .dispatched)
        XCTAssertEqual(s.leadDepartmentCode, "D1")
        XCTAssertEqual(s.coDepartmentCodes, ["D2"])
        XCTAssertEqual(s.counters.reopens, 1)
        XCTAssertEqual(try CaseMachine.replay(initial: initial, events: log), s)
    }
}
