import Foundation
import XCTest
@testable import WanggeDomain

/// The closed loop written out by hand, independently of `CaseMachine.sourceStates`: for every action,
/// the states it may start from and the state it leads to. Shared with `CaseMachinePropertyTests`.
enum LoopTable {
    static let open: [CaseState] = [.reported, .registered, .dispatched, .inProgress, .handled, .verified, .evaluated]
    static let terminal: Set<CaseState> = [.rejected, .merged, .archived]

    private static func stay(_ states: [CaseState]) -> [CaseState: CaseState] {
        Dictionary(uniqueKeysWithValues: states.map { ($0, $0) })
    }

    /// Source state → target state, for a case that is assigned (the usual shape once dispatched).
    static let transitions: [CaseAction: [CaseState: CaseState]] = [
        .report: [:],
        .register: [.reported: .registered],
        .reject: [.reported: .rejected],
        .merge: [.reported: .merged, .registered: .merged],
        .mergedIn: stay(open),
        .overdue: stay(open),
        .dispatch: [.registered: .dispatched],
        .accept: [.dispatched: .inProgress],
        .returnCase: [.dispatched: .registered, .inProgress: .registered],
        .requestExtension: [.inProgress: .inProgress],
        .approveExtension: stay([.dispatched, .inProgress]),
        .denyExtension: stay([.dispatched, .inProgress]),
        .requestEscalation: stay([.dispatched, .inProgress]),
        .escalate: [.reported: .reported, .registered: .registered, .dispatched: .registered, .inProgress: .registered],
        .pushDown: stay([.reported, .registered]),
        .coHandle: stay([.dispatched, .inProgress]),
        .submitResult: [.inProgress: .handled],
        .resolveOnSpot: [.reported: .handled],
        .verifyPass: [.handled: .verified],
        .verifyFail: [.handled: .inProgress],
        .evaluate: [.verified: .evaluated],
        .returnVisit: [.verified: .evaluated],
        .reopen: [.evaluated: .dispatched],
        .close: [.verified: .closed, .evaluated: .closed],
        .archive: [.closed: .archived],
        .remind: stay(open),
        .supervise: stay(open),
        .note: stay(CaseState.allCases),
    ]

    /// The state `action` leads to from `snapshot`, or `nil` when it may not start there.
    static func target(_ action: CaseAction, from snapshot: CaseSnapshot) -> CaseState? {
        guard let target = transitions[action]?[snapshot.state] else { return nil }
        if action == .reopen, !snapshot.isAssigned { return .registered }
        return target
    }
}

final class CaseMachineTests: XCTestCase {
    // MARK: Fixtures

    static let centre = "330110"
    static let grid = "330110001001-01"

    /// A case as it would look in `state` after the usual path: dispatched to department D1,
    /// accepted by handler1, result by handler1, rated unsatisfied.
    static func fixture(_ state: CaseState, pendingExtension: Bool = false) -> CaseSnapshot {
        var s = CaseSnapshot(state: state, centreOrgCode: centre, gridCode: grid, categoryCode: "C01", reporterUsername: "citizen1")
        let past: [CaseState] = [.dispatched, .inProgress, .handled, .verified, .evaluated, .closed, .archived]
        if past.contains(state) { s.leadDepartmentCode = "D1" }
        if [.inProgress, .handled, .verified, .evaluated, .closed, .archived].contains(state) { s.handlerUsername = "handler1" }
        if [.handled, .verified, .evaluated, .closed, .archived].contains(state) { s.resultBy = "handler1" }
        if [.evaluated, .closed, .archived].contains(state) { s.rating = .unsatisfied }
        if state == .merged { s.masterCode = "330110-20261122-00001" }
        if pendingExtension {
            s.extensionRequested = true
            s.requestedExtensionHours = 48
        }
        return s
    }

    /// A command carrying every parameter an action could ask for.
    static func fullCommand(_ action: CaseAction) -> CaseCommand {
        CaseCommand(action, note: "现场核实情况说明", departmentCode: "D1", targetOrgCode: "330100",
                    masterCode: "330110-20261122-00001", rating: .satisfied, result: "已修复井盖", extensionHours: 24)
    }

    /// The first state (in declaration order) the action may start from.
    static func someSourceState(_ action: CaseAction) -> CaseState? {
        CaseState.allCases.first { LoopTable.transitions[action]?[$0] != nil }
    }

    static let everyRelation: [CaseRelation] = [
        .dispatcherInCharge, .leader, .leadHandler, .coHandler, .assignedGridWorker, .caseGridWorker,
        .villageGridWorker, .reporter, .resultAuthor, .viewer,
    ]

    func assertAppError(_ expression: @autoclosure () throws -> some Any, _ kind: AppError.Kind, code: String? = nil,
                        field: String? = nil, _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), message(), file: file, line: line) { error in
            guard let appError = error as? AppError else {
                return XCTFail("\(message()): expected AppError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(appError.kind, kind, "\(message()): \(appError)", file: file, line: line)
            if let code { XCTAssertEqual(appError.code, code, "\(message())", file: file, line: line) }
            if let field { XCTAssertEqual(appError.field, field, "\(message())", file: file, line: line) }
        }
    }

    // MARK: The truth table

    func testTheWrittenTruthTableAgreesWithCanStartForEveryActionAndState() {
        XCTAssertEqual(Set(LoopTable.transitions.keys), Set(CaseAction.allCases), "the table must cover every action")
        for action in CaseAction.allCases {
            for state in CaseState.allCases {
                XCTAssertEqual(CaseMachine.canStart(action, from: state), LoopTable.transitions[action]?[state] != nil,
                               "\(action.rawValue) from \(state.rawValue)")
            }
        }
    }

    func testEveryActionSucceedsExactlyFromItsSourceStatesAndLandsWhereTheTableSays() throws {
        for action in CaseAction.allCases {
            for state in CaseState.allCases {
                let pending = action == .approveExtension || action == .denyExtension
                let before = Self.fixture(state, pendingExtension: pending)
                let label = "\(action.rawValue) from \(state.rawValue)"
                if let expected = LoopTable.target(action, from: before) {
                    XCTAssertTrue(CaseMachine.canStart(action, from: state), label)
                    let after = try CaseMachine.apply(before, Self.fullCommand(action), actorUsername: "actor1")
                    XCTAssertEqual(after.state, expected, label)
                } else {
                    XCTAssertFalse(CaseMachine.canStart(action, from: state), label)
                    assertAppError(try CaseMachine.apply(before, Self.fullCommand(action), actorUsername: "actor1"),
                                   .conflict, code: "case.state", label)
                }
            }
        }
    }

    func testTerminalCasesAcceptOnlyNotes() throws {
        for state in LoopTable.terminal {
            for action in CaseAction.allCases where action != .note {
                XCTAssertFalse(CaseMachine.canStart(action, from: state), "\(action.rawValue) from \(state.rawValue)")
            }
            let noted = try CaseMachine.apply(Self.fixture(state), CaseCommand(.note, note: "归档后补充说明"), actorUsername: "d1")
            XCTAssertEqual(noted, Self.fixture(state), "a note changes nothing on the case itself")
        }
    }

    // MARK: Permissions

    func testAnyoneOutsideAnActionsPermittedRelationsIsForbidden() {
        for action in CaseAction.allCases {
            let permitted = CaseMachine.permittedRelations(action)
            let state = Self.someSourceState(action) ?? .reported
            let before = Self.fixture(state, pendingExtension: action == .approveExtension || action == .denyExtension)
            var outsiders: CaseRelation = []
            for relation in Self.everyRelation where permitted.isDisjoint(with: relation) {
                outsiders.formUnion(relation)
                assertAppError(try CaseMachine.perform(before, Self.fullCommand(action), relation: relation, actorUsername: "x"),
                               .forbidden, code: "case.role", "\(action.rawValue) by relation \(relation.rawValue)")
            }
            if !outsiders.isEmpty {
                assertAppError(try CaseMachine.perform(before, Self.fullCommand(action), relation: outsiders, actorUsername: "x"),
                               .forbidden, code: "case.role", "\(action.rawValue) by all outsiders together")
            }
            assertAppError(try CaseMachine.perform(before, Self.fullCommand(action), relation: [], actorUsername: "x"),
                           .forbidden, code: "case.role", "\(action.rawValue) by nobody")
        }
    }

    func testEachPermittedRelationMayActFromASourceState() throws {
        for action in CaseAction.allCases {
            guard let state = Self.someSourceState(action) else { continue }
            let permitted = CaseMachine.permittedRelations(action)
            for relation in Self.everyRelation where permitted.contains(relation) {
                var before = Self.fixture(state, pendingExtension: action == .approveExtension || action == .denyExtension)
                if relation == .villageGridWorker { before.resolvedOnSpot = true }
                let after = try CaseMachine.perform(before, Self.fullCommand(action), relation: relation, actorUsername: "actor1")
                XCTAssertEqual(after.state, LoopTable.target(action, from: before), "\(action.rawValue) by \(relation.rawValue)")
            }
        }
    }

    func testReportingOverdueAndMergedInAreNeverDoneByAPerson() {
        for action in [CaseAction.report, .overdue, .mergedIn] {
            XCTAssertEqual(CaseMachine.permittedRelations(action), [], action.rawValue)
        }
    }

    func testAHandlerCannotVerifyTheirOwnResult() {
        let handled = Self.fixture(.handled)
        for action in [CaseAction.verifyPass, .verifyFail] {
            for relation: CaseRelation in [[.dispatcherInCharge, .resultAuthor], [.caseGridWorker, .resultAuthor],
                                           [.villageGridWorker, .resultAuthor]] {
                var onSpot = handled
                onSpot.resolvedOnSpot = true
                assertAppError(try CaseMachine.perform(onSpot, Self.fullCommand(action), relation: relation, actorUsername: "handler1"),
                               .forbidden, code: "case.verify_own", "\(action.rawValue) by \(relation.rawValue)")
            }
        }
        XCTAssertFalse(CaseMachine.allowedActions(handled, relation: [.dispatcherInCharge, .resultAuthor]).contains(.verifyPass))
        XCTAssertTrue(CaseMachine.allowedActions(handled, relation: .dispatcherInCharge).contains(.verifyPass))
    }

    func testAWorkerOfAnotherGridVerifiesOnlyOnTheSpotResolutions() throws {
        let dispatched = Self.fixture(.handled)
        assertAppError(try CaseMachine.perform(dispatched, Self.fullCommand(.verifyPass), relation: .villageGridWorker,
                                               actorUsername: "gw2"), .forbidden, code: "case.role")
        XCTAssertFalse(CaseMachine.allowedActions(dispatched, relation: .villageGridWorker).contains(.verifyPass))

        var reported = Self.fixture(.reported)
        reported = try CaseMachine.perform(reported, CaseCommand(.resolveOnSpot, result: "已清理"), relation: .caseGridWorker,
                                           actorUsername: "gw1")
        XCTAssertEqual(reported.state, .handled)
        XCTAssertTrue(reported.resolvedOnSpot)
        XCTAssertEqual(reported.resultBy, "gw1")
        XCTAssertEqual(reported.handlerUsername, "gw1")
        XCTAssertEqual(reported.assignedGridCode, Self.grid)
        let verified = try CaseMachine.perform(reported, CaseCommand(.verifyPass), relation: .villageGridWorker, actorUsername: "gw2")
        XCTAssertEqual(verified.state, .verified)
    }

    // MARK: Required parameters

    func testReasonsAreRequiredWhereTheRulesAskForANote() {
        let cases: [(CaseAction, CaseState)] = [
            (.reject, .reported), (.returnCase, .dispatched), (.returnCase, .inProgress), (.verifyFail, .handled),
            (.requestExtension, .inProgress), (.requestEscalation, .dispatched), (.coHandle, .inProgress),
            (.note, .registered), (.note, .archived), (.close, .verified),
        ]
        for (action, state) in cases {
            for missing in [nil, "", "  \n "] as [String?] {
                var command = Self.fullCommand(action)
                command.note = missing
                assertAppError(try CaseMachine.apply(Self.fixture(state), command, actorUsername: "u"),
                               .badRequest, code: "case.note_required", field: "note", "\(action.rawValue) from \(state.rawValue)")
            }
        }
    }

    func testClosingAnEvaluatedCaseNeedsNoNote() throws {
        let closed = try CaseMachine.apply(Self.fixture(.evaluated), CaseCommand(.close), actorUsername: "d1")
        XCTAssertEqual(closed.state, .closed)
    }

    func testEachActionAsksForTheOtherFieldItNeeds() {
        let cases: [(CaseAction, CaseState, WritableKeyPath<CaseCommand, String?>, String)] = [
            (.merge, .reported, \.masterCode, "masterCode"),
            (.escalate, .dispatched, \.targetOrgCode, "targetOrgCode"),
            (.pushDown, .registered, \.targetOrgCode, "targetOrgCode"),
            (.submitResult, .inProgress, \.result, "result"),
            (.resolveOnSpot, .reported, \.result, "result"),
        ]
        for (action, state, keyPath, field) in cases {
            var command = Self.fullCommand(action)
            command[keyPath: keyPath] = " "
            assertAppError(try CaseMachine.apply(Self.fixture(state), command, actorUsername: "u"),
                           .badRequest, field: field, action.rawValue)
        }
        for action in [CaseAction.evaluate, .returnVisit] {
            var command = Self.fullCommand(action)
            command.rating = nil
            assertAppError(try CaseMachine.apply(Self.fixture(.verified), command, actorUsername: "u"),
                           .badRequest, code: "case.rating_required", field: "rating", action.rawValue)
        }
    }

    // MARK: Dispatch

    func testDispatchNeedsExactlyOneOfDepartmentOrGrid() throws {
        let registered = Self.fixture(.registered)
        let wrong: [CaseCommand] = [
            CaseCommand(.dispatch),
            CaseCommand(.dispatch, departmentCode: "", gridCode: ""),
            CaseCommand(.dispatch, departmentCode: "D1", gridCode: Self.grid),
        ]
        for command in wrong {
            assertAppError(try CaseMachine.apply(registered, command, actorUsername: "d1"),
                           .badRequest, code: "case.dispatch_target", field: "departmentCode", "\(command)")
        }
        let toDepartment = try CaseMachine.apply(registered, CaseCommand(.dispatch, departmentCode: "D1", gridCode: ""), actorUsername: "d1")
        XCTAssertEqual(toDepartment.state, .dispatched)
        XCTAssertEqual(toDepartment.leadDepartmentCode, "D1")
        XCTAssertNil(toDepartment.assignedGridCode)

        let toGrid = try CaseMachine.apply(registered, CaseCommand(.dispatch, departmentCode: "", gridCode: Self.grid), actorUsername: "d1")
        XCTAssertEqual(toGrid.state, .dispatched)
        XCTAssertEqual(toGrid.assignedGridCode, Self.grid)
        XCTAssertNil(toGrid.leadDepartmentCode)
    }

    func testCoHandlersGoOnlyWithALeadDepartment() {
        assertAppError(try CaseMachine.apply(Self.fixture(.registered),
                                             CaseCommand(.dispatch, coDepartmentCodes: ["D2"], gridCode: Self.grid), actorUsername: "d1"),
                       .badRequest, code: "case.dispatch_co", field: "coDepartmentCodes")
    }

    func testCoHandlerListIsDeduplicatedAndExcludesTheLead() throws {
        let after = try CaseMachine.apply(Self.fixture(.registered),
                                          CaseCommand(.dispatch, departmentCode: "D1", coDepartmentCodes: ["D3", "D2", "D1", "D3", ""]),
                                          actorUsername: "d1")
        XCTAssertEqual(after.leadDepartmentCode, "D1")
        XCTAssertEqual(after.coDepartmentCodes, ["D2", "D3"])
    }

    func testDispatchMayRecategoriseTheCase() throws {
        let after = try CaseMachine.apply(Self.fixture(.registered), CaseCommand(.dispatch, categoryCode: "C99", departmentCode: "D1"),
                                          actorUsername: "d1")
        XCTAssertEqual(after.categoryCode, "C99")
    }

    func testAcceptingRecordsTheHandler() throws {
        let after = try CaseMachine.apply(Self.fixture(.dispatched), CaseCommand(.accept), actorUsername: "handler7")
        XCTAssertEqual(after.state, .inProgress)
        XCTAssertEqual(after.handlerUsername, "handler7")
    }

    // MARK: Handling, verification, evaluation

    func testSubmittingAResultRecordsItsAuthorForVerification() throws {
        let after = try CaseMachine.apply(Self.fixture(.inProgress), CaseCommand(.submitResult, result: "已更换井盖"), actorUsername: "handler2")
        XCTAssertEqual(after.state, .handled)
        XCTAssertEqual(after.resultBy, "handler2")
        XCTAssertFalse(after.resolvedOnSpot)
    }

    func testAFailedVerificationSendsTheCaseBackForRework() throws {
        let handled = Self.fixture(.handled)
        let once = try CaseMachine.apply(handled, CaseCommand(.verifyFail, note: "井盖仍松动"), actorUsername: "d1")
        XCTAssertEqual(once.state, .inProgress)
        XCTAssertEqual(once.counters.reworks, 1)
        XCTAssertEqual(once.leadDepartmentCode, "D1", "rework stays with the same department")
        let resubmitted = try CaseMachine.apply(once, CaseCommand(.submitResult, result: "已加固"), actorUsername: "handler1")
        let twice = try CaseMachine.apply(resubmitted, CaseCommand(.verifyFail, note: "仍未修好"), actorUsername: "d1")
        XCTAssertEqual(twice.counters.reworks, 2)
    }

    func testEvaluationAndReturnVisitRecordTheRating() throws {
        for action in [CaseAction.evaluate, .returnVisit] {
            for rating in Rating.allCases {
                let after = try CaseMachine.apply(Self.fixture(.verified), CaseCommand(action, rating: rating), actorUsername: "u")
                XCTAssertEqual(after.state, .evaluated)
                XCTAssertEqual(after.rating, rating)
            }
        }
    }

    func testOnlyAnUnsatisfiedCaseCanBeReopened() {
        for rating in [Rating.satisfied, .basicallySatisfied] {
            var evaluated = Self.fixture(.evaluated)
            evaluated.rating = rating
            assertAppError(try CaseMachine.apply(evaluated, CaseCommand(.reopen), actorUsername: "d1"),
                           .conflict, code: "case.reopen_satisfied", rating.rawValue)
            XCTAssertFalse(CaseMachine.allowedActions(evaluated, relation: .dispatcherInCharge).contains(.reopen))
        }
        XCTAssertTrue(CaseMachine.allowedActions(Self.fixture(.evaluated), relation: .dispatcherInCharge).contains(.reopen))
    }

    func testReopeningAnAssignedCaseSendsItBackToItsHandlers() throws {
        let after = try CaseMachine.apply(Self.fixture(.evaluated), CaseCommand(.reopen), actorUsername: "d1")
        XCTAssertEqual(after.state, .dispatched)
        XCTAssertEqual(after.leadDepartmentCode, "D1")
        XCTAssertEqual(after.counters.reopens, 1)
        XCTAssertNil(after.rating)
        XCTAssertNil(after.resultBy)
    }

    func testReopeningAnUnassignedCaseSendsItBackToTheDispatcher() throws {
        var evaluated = Self.fixture(.evaluated)
        evaluated.leadDepartmentCode = nil
        let after = try CaseMachine.apply(evaluated, CaseCommand(.reopen), actorUsername: "d1")
        XCTAssertEqual(after.state, .registered)
        XCTAssertEqual(after.counters.reopens, 1)
    }

    // MARK: Escalation, return, push-down

    func testEscalationMovesTheCaseToTheParentCentreAndClearsTheAssignment() throws {
        var inProgress = Self.fixture(.inProgress, pendingExtension: true)
        inProgress.coDepartmentCodes = ["D2"]
        inProgress.escalationRequested = true
        let after = try CaseMachine.apply(inProgress, CaseCommand(.escalate, targetOrgCode: "330100"), actorUsername: "d1")
        XCTAssertEqual(after.state, .registered)
        XCTAssertEqual(after.centreOrgCode, "330100")
        XCTAssertFalse(after.isAssigned)
        XCTAssertEqual(after.coDepartmentCodes, [])
        XCTAssertNil(after.handlerUsername)
        XCTAssertFalse(after.escalationRequested)
        XCTAssertFalse(after.extensionRequested)
        XCTAssertNil(after.requestedExtensionHours)
        XCTAssertEqual(after.counters.escalations, 1)
    }

    func testEscalatingANewReportKeepsItWaitingForAcceptance() throws {
        let after = try CaseMachine.apply(Self.fixture(.reported), CaseCommand(.escalate, targetOrgCode: "330100"), actorUsername: "d1")
        XCTAssertEqual(after.state, .reported)
        XCTAssertEqual(after.centreOrgCode, "330100")
    }

    func testAHandlerMayAskForEscalation() throws {
        let after = try CaseMachine.perform(Self.fixture(.inProgress), CaseCommand(.requestEscalation, note: "超出本级职权"),
                                            relation: .leadHandler, actorUsername: "handler1")
        XCTAssertTrue(after.escalationRequested)
        XCTAssertEqual(after.state, .inProgress)
    }

    func testPushDownMovesTheCentreWithoutChangingTheState() throws {
        let after = try CaseMachine.apply(Self.fixture(.registered), CaseCommand(.pushDown, targetOrgCode: "330110001"), actorUsername: "d1")
        XCTAssertEqual(after.state, .registered)
        XCTAssertEqual(after.centreOrgCode, "330110001")
        XCTAssertEqual(after.counters.pushDowns, 1)
    }

    func testReturningAMisroutedCaseClearsTheAssignmentAndCountsTheReturn() throws {
        var dispatched = Self.fixture(.inProgress, pendingExtension: true)
        dispatched.coDepartmentCodes = ["D2"]
        let after = try CaseMachine.apply(dispatched, CaseCommand(.returnCase, note: "不属于本部门职责"), actorUsername: "handler1")
        XCTAssertEqual(after.state, .registered)
        XCTAssertFalse(after.isAssigned)
        XCTAssertEqual(after.coDepartmentCodes, [])
        XCTAssertNil(after.handlerUsername)
        XCTAssertFalse(after.extensionRequested)
        XCTAssertEqual(after.counters.returns, 1)
    }

    // MARK: Extensions

    func testAnApprovedExtensionAddsTheRequestedHours() throws {
        var s = Self.fixture(.inProgress)
        s = try CaseMachine.apply(s, CaseCommand(.requestExtension, note: "需采购配件", extensionHours: 24), actorUsername: "handler1")
        XCTAssertTrue(s.extensionRequested)
        XCTAssertEqual(s.requestedExtensionHours, 24)
        s = try CaseMachine.apply(s, CaseCommand(.approveExtension), actorUsername: "d1")
        XCTAssertFalse(s.extensionRequested)
        XCTAssertNil(s.requestedExtensionHours)
        XCTAssertEqual(s.extensionsGranted, 1)
        XCTAssertEqual(s.extensionHoursGranted, 24)
        s = try CaseMachine.apply(s, CaseCommand(.requestExtension, note: "再延一次", extensionHours: 48), actorUsername: "handler1")
        s = try CaseMachine.apply(s, CaseCommand(.approveExtension), actorUsername: "d1")
        XCTAssertEqual(s.extensionsGranted, 2)
        XCTAssertEqual(s.extensionHoursGranted, 72)
    }

    func testADeniedExtensionGrantsNothing() throws {
        let after = try CaseMachine.apply(Self.fixture(.inProgress, pendingExtension: true), CaseCommand(.denyExtension), actorUsername: "d1")
        XCTAssertFalse(after.extensionRequested)
        XCTAssertNil(after.requestedExtensionHours)
        XCTAssertEqual(after.extensionsGranted, 0)
        XCTAssertEqual(after.extensionHoursGranted, 0)
    }

    func testASecondExtensionRequestWhileOneIsPendingIsAConflict() {
        assertAppError(try CaseMachine.apply(Self.fixture(.inProgress, pendingExtension: true),
                                             CaseCommand(.requestExtension, note: "再申请", extensionHours: 24), actorUsername: "handler1"),
                       .conflict, code: "case.extension_pending")
    }

    func testThereIsNothingToDecideWithoutAPendingExtension() {
        for action in [CaseAction.approveExtension, .denyExtension] {
            assertAppError(try CaseMachine.apply(Self.fixture(.inProgress), CaseCommand(action), actorUsername: "d1"),
                           .conflict, code: "case.no_extension", action.rawValue)
            XCTAssertFalse(CaseMachine.allowedActions(Self.fixture(.inProgress), relation: .dispatcherInCharge).contains(action))
            XCTAssertTrue(CaseMachine.allowedActions(Self.fixture(.inProgress, pendingExtension: true), relation: .dispatcherInCharge)
                .contains(action))
        }
    }

    func testExtensionHoursMustBeBetweenOneHourAndNinetyDays() throws {
        for hours in [nil, 0, -5, 2161] as [Int?] {
            assertAppError(try CaseMachine.apply(Self.fixture(.inProgress),
                                                 CaseCommand(.requestExtension, note: "理由", extensionHours: hours), actorUsername: "h"),
                           .badRequest, code: "case.extension_hours", field: "extensionHours", "\(String(describing: hours))")
        }
        for hours in [1, 2160] {
            let after = try CaseMachine.apply(Self.fixture(.inProgress),
                                              CaseCommand(.requestExtension, note: "理由", extensionHours: hours), actorUsername: "h")
            XCTAssertEqual(after.requestedExtensionHours, hours)
        }
    }

    // MARK: Counters that do not move the case

    func testRemindersAndSupervisionAreCountedWithoutMovingTheCase() throws {
        var s = Self.fixture(.inProgress)
        s = try CaseMachine.perform(s, CaseCommand(.remind), relation: .dispatcherInCharge, actorUsername: "d1")
        s = try CaseMachine.perform(s, CaseCommand(.remind), relation: .leader, actorUsername: "leader1")
        s = try CaseMachine.perform(s, CaseCommand(.supervise), relation: .leader, actorUsername: "leader1")
        XCTAssertEqual(s.state, .inProgress)
        XCTAssertEqual(s.counters.reminders, 2)
        XCTAssertEqual(s.counters.supervisions, 1)
        assertAppError(try CaseMachine.perform(Self.fixture(.closed), CaseCommand(.remind), relation: .leader, actorUsername: "leader1"),
                       .conflict, code: "case.state")
    }

    func testAMasterCaseCountsTheDuplicatesFoldedIntoIt() throws {
        var master = Self.fixture(.dispatched)
        master = try CaseMachine.apply(master, CaseCommand(.mergedIn, masterCode: "x"), actorUsername: "system")
        master = try CaseMachine.apply(master, CaseCommand(.mergedIn, masterCode: "y"), actorUsername: "system")
        XCTAssertEqual(master.counters.merged, 2)
        XCTAssertEqual(master.state, .dispatched)
    }

    func testMergingADuplicateRecordsItsMaster() throws {
        let after = try CaseMachine.apply(Self.fixture(.registered), CaseCommand(.merge, masterCode: "330110-20261122-00001"), actorUsername: "d1")
        XCTAssertEqual(after.state, .merged)
        XCTAssertEqual(after.masterCode, "330110-20261122-00001")
    }

    // MARK: allowedActions

    func testADispatcherSeesTheIntakeButtonsOnANewReport() {
        let actions = CaseMachine.allowedActions(Self.fixture(.reported), relation: .dispatcherInCharge)
        XCTAssertEqual(Set(actions), [.register, .reject, .merge, .pushDown, .escalate, .remind, .supervise, .note])
        XCTAssertEqual(actions.count, 8, "no duplicates")
    }

    func testAnArchivedCaseOnlyTakesNotes() {
        XCTAssertEqual(CaseMachine.allowedActions(Self.fixture(.archived), relation: .dispatcherInCharge), [.note])
    }

    func testTheReporterCanOnlyEvaluateAVerifiedCase() {
        XCTAssertEqual(CaseMachine.allowedActions(Self.fixture(.verified), relation: .reporter), [.evaluate])
        XCTAssertEqual(CaseMachine.allowedActions(Self.fixture(.inProgress), relation: .reporter), [])
    }

    func testAViewerCanDoNothing() {
        for state in CaseState.allCases {
            XCTAssertEqual(CaseMachine.allowedActions(Self.fixture(state, pendingExtension: true), relation: .viewer), [], state.rawValue)
        }
    }

    func testEveryAllowedActionActuallySucceeds() throws {
        let relations: [CaseRelation] = Self.everyRelation + [[.dispatcherInCharge, .leader], [.caseGridWorker, .assignedGridWorker]]
        for state in CaseState.allCases {
            for pending in [false, true] {
                let s = Self.fixture(state, pendingExtension: pending)
                for relation in relations {
                    for action in CaseMachine.allowedActions(s, relation: relation) {
                        XCTAssertNoThrow(try CaseMachine.perform(s, Self.fullCommand(action), relation: relation, actorUsername: "u"),
                                         "\(action.rawValue) by \(relation.rawValue) from \(state.rawValue)")
                    }
                }
            }
        }
    }

    // MARK: Codes

    func testQueryCodesAreTenUnambiguousCharacters() {
        var generator = SplitMix64(seed: 20261122)
        for code in (0..<1000).map({ _ in QueryCode.generate(using: &generator) }) + [QueryCode.generate()] {
            XCTAssertEqual(code.count, 10, code)
            XCTAssertTrue(code.allSatisfy { QueryCode.alphabet.contains($0) }, code)
            XCTAssertTrue(code.allSatisfy { !"0O1IL".contains($0) }, code)
            XCTAssertEqual(QueryCode.normalise(code), code)
        }
        XCTAssertTrue(QueryCode.alphabet.allSatisfy { !"0O1IL".contains($0) })
    }

    func testQueryCodesCannotBeGuessed() {
        XCTAssertGreaterThanOrEqual(QueryCode.entropyBits, 40)
        var generator = SplitMix64(seed: 42)
        let codes = (0..<10_000).map { _ in QueryCode.generate(using: &generator) }
        XCTAssertEqual(Set(codes).count, 10_000)
        // Every alphabet character turns up: nothing is stuck.
        XCTAssertEqual(Set(codes.joined()), Set(QueryCode.alphabet))
    }

    /// Every character is as likely at every position: a code drawn as one number and written in
    /// base 31 must not favour any, or codes get easier to guess. A chi-squared test per position
    /// over 62,000 codes (30 degrees of freedom; 59.7 is the 0.1% tail).
    func testEveryCharacterIsEquallyLikelyAtEveryPosition() {
        var generator = SplitMix64(seed: 20261201)
        let count = 62_000
        var tallies = [[Character: Int]](repeating: [:], count: QueryCode.length)
        for _ in 0..<count {
            for (position, character) in QueryCode.generate(using: &generator).enumerated() { tallies[position][character, default: 0] += 1 }
        }
        let expected = Double(count) / Double(QueryCode.alphabet.count)
        for (position, tally) in tallies.enumerated() {
            let chiSquared = QueryCode.alphabet.reduce(0.0) { sum, character in
                let seen = Double(tally[character] ?? 0)
                return sum + (seen - expected) * (seen - expected) / expected
            }
            XCTAssertLessThan(chiSquared, 59.7, "position \(position): \(tally)")
        }
    }

    func testQueryCodesMayBeTypedInLowerCaseWithSpacesOrDashes() {
        XCTAssertEqual(QueryCode.normalise("ABCDEFGH23"), "ABCDEFGH23")
        XCTAssertEqual(QueryCode.normalise("abcdefgh23"), "ABCDEFGH23")
        XCTAssertEqual(QueryCode.normalise("abcd efgh 23"), "ABCDEFGH23")
        XCTAssertEqual(QueryCode.normalise(" abcd-efgh-23 "), "ABCDEFGH23")
    }

    func testMistypedQueryCodesAreRejected() {
        for raw in ["", "ABCDEFGH2", "ABCDEFGH234", "ABCDEFGH20", "ABCDEFGHO2", "ABCDEFGH12", "ABCDEFGHI2", "abcdefghl2",
                    "ABCDEFGH2#", "ABCDEFGH2井"] {
            XCTAssertNil(QueryCode.normalise(raw), raw)
        }
    }

    func testCaseCodesUseTheShanghaiDay() throws {
        let shanghai = try XCTUnwrap(TimeZone(identifier: "Asia/Shanghai"))
        let utc = try XCTUnwrap(TimeZone(identifier: "UTC"))
        let formatter = ISO8601DateFormatter()
        let lateEvening = try XCTUnwrap(formatter.date(from: "2026-11-21T16:30:00Z"))
        XCTAssertEqual(CaseCode.make(countyCode: "330110", day: lateEvening, sequence: 42, timeZone: shanghai), "330110-20261122-00042")
        XCTAssertEqual(CaseCode.make(countyCode: "330110", day: lateEvening, sequence: 42, timeZone: utc), "330110-20261121-00042")
        let beforeMidnight = try XCTUnwrap(formatter.date(from: "2026-11-21T15:59:59Z"))
        XCTAssertEqual(CaseCode.dayKey(beforeMidnight, timeZone: shanghai), "20261121")
        XCTAssertEqual(CaseCode.make(countyCode: "330110", day: lateEvening, sequence: 1, timeZone: shanghai), "330110-20261122-00001")
        XCTAssertEqual(CaseCode.make(countyCode: "330110", day: lateEvening, sequence: 123_456, timeZone: shanghai), "330110-20261122-123456",
                       "a sequence past five digits keeps all of them")
        // The day key by arithmetic agrees with Calendar's, in zones with and without daylight saving.
        var random = SplitMix64(seed: 20261201)
        for zone in ["Asia/Shanghai", "America/New_York", "Europe/London", "UTC"] {
            let timeZone = TimeZone(identifier: zone)!
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            for _ in 0..<2_000 {
                let date = Date(timeIntervalSince1970: Double(random.next() % 4_000_000_000))
                let c = calendar.dateComponents([.year, .month, .day], from: date)
                XCTAssertEqual(CaseCode.dayKey(date, timeZone: timeZone), String(format: "%04d%02d%02d", c.year!, c.month!, c.day!), "\(date) in \(zone)")
            }
        }
    }

    // MARK: Search

    func testChineseDescriptionsAreIndexedByCharacterPairs() {
        XCTAssertEqual(SearchTerms.terms("湖滨路井盖缺失"), ["湖滨", "滨路", "路井", "井盖", "盖缺", "缺失"])
    }

    /// Terms read scalar by scalar (`plainTerms`) must be those read character by character, for any
    /// text; the scalar reading is taken only where each scalar is a character without case.
    func testTermsReadByScalarAreTheTermsReadByCharacter() {
        let report = "湖滨路井盖缺失,行人易绊倒。请尽快处理!(5G基站旁)“紧急”……"
        XCTAssertNotNil(SearchTerms.plainTerms(report), "a typical report is read scalar by scalar")
        XCTAssertEqual(SearchTerms.terms(report), SearchTerms.characterTerms(report))

        // What the scalar reading relies on, for every scalar it accepts beyond ASCII (asked of `isCJK`
        // itself, so a range added there is checked here too).
        let accepted = (UInt32(0x80)...0x10FFFF).filter { value in
            SearchTerms.isCJK(value) || SearchTerms.plainSeparators.contains { $0.contains(value) }
        }
        XCTAssertGreaterThan(accepted.count, 90_000, "the CJK ideographs are accepted")
        for value in accepted {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar)
            XCTAssertEqual(text.lowercased(), text, "U+\(String(value, radix: 16)) has case")
            XCTAssertEqual("a\(text)\r\(text)\(text)a".count, 6, "U+\(String(value, radix: 16)) joins a neighbour")
            if !SearchTerms.isCJK(value) {
                XCTAssertFalse(Character(scalar).isLetter || Character(scalar).isNumber, "U+\(String(value, radix: 16)) is a letter or digit")
            }
        }

        var random = SplitMix64(seed: 2026_12_02)
        let inside = Array("aZ09 -_.,;:!?/\\\"'\r\n\t") + ["井", "盖", "缺", "㐀", "\u{9FFF}", "豈", "\u{20000}", "\u{2FA1F}"]
            + SearchTerms.plainSeparators.map { Character(Unicode.Scalar($0.lowerBound)!) } + ["\u{3001}", "\u{FF0C}", "\u{201D}"]
        let outside: [Character] = ["é", "e\u{301}", "😀", "Ａ", "々", "한", "\u{FE0F}", "İ", "ß", "Ω", "٣", "\u{200D}"]
        var plain = 0
        for round in 0..<3_000 {
            let alphabet = round % 3 == 0 ? inside + outside : inside
            let text = String((0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            if SearchTerms.plainTerms(text) != nil { plain += 1 }
            XCTAssertEqual(SearchTerms.terms(text), SearchTerms.characterTerms(text), text.debugDescription)
            // Once each, in byte order, however they were read; and so in the text a case's terms are queued as.
            let sorted = SearchTerms.characterTerms(text).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            XCTAssertEqual(SearchTerms.sortedTerms(text), sorted, text.debugDescription)
            XCTAssertEqual(SearchTerms.spacedTerms(text), sorted.isEmpty ? "" : " " + sorted.joined(separator: " ") + " ", text.debugDescription)
        }
        XCTAssertGreaterThan(plain, 1_900, "most texts without other characters are read scalar by scalar")
    }

    func testSearchingForAWordFindsTheDescriptionThatContainsIt() {
        let description = SearchTerms.terms("湖滨路井盖缺失,行人易绊倒")
        XCTAssertEqual(SearchTerms.queryTerms("井盖"), ["井盖"])
        XCTAssertTrue(SearchTerms.queryTerms("井盖").isSubset(of: description))
        XCTAssertTrue(SearchTerms.queryTerms("井盖缺失").isSubset(of: description))
        XCTAssertFalse(SearchTerms.queryTerms("路灯").isSubset(of: description))
        XCTAssertFalse(SearchTerms.queryTerms("失行").isSubset(of: description), "punctuation breaks a run")
    }

    func testLatinWordsAreSearchedCaseInsensitively() {
        let terms = SearchTerms.terms("Manhole COVER missing near 5G基站")
        XCTAssertTrue(terms.isSuperset(of: ["manhole", "cover", "missing", "near", "5g", "基站"]), "\(terms)")
        XCTAssertFalse(terms.contains("COVER"))
        XCTAssertTrue(SearchTerms.queryTerms("Cover").isSubset(of: terms))
    }

    /// A case's terms are kept sorted by their bytes, words (ASCII) first, a lone character before the pairs it begins,
    /// each once however often the text repeats it.
    func testSortedTermsAreInByteOrderOnceEach() {
        XCTAssertEqual(SearchTerms.sortedTerms("井盖 井盖缺失 路 5G zebra Abc 路灯,井"),
                       ["5g", "abc", "zebra", "井", "井盖", "盖缺", "缺失", "路", "路灯"])
        XCTAssertEqual(SearchTerms.sortedTerms("\u{20000}\u{20001} 㐀"), ["㐀", "\u{20000}\u{20001}"], "beyond the basic plane after it")
        XCTAssertEqual(SearchTerms.sortedTerms("café 井盖 井盖"), ["café", "井盖"], "text read by character, sorted the same way")
        XCTAssertEqual(SearchTerms.sortedTerms(" ,。 "), [])
        XCTAssertEqual(SearchTerms.spacedTerms("井盖 井盖缺失 路 5G,井"), " 5g 井 井盖 盖缺 缺失 路 ")
        XCTAssertEqual(SearchTerms.spacedTerms("\u{20000}\u{20001} café"), " café \u{20000}\u{20001} ", "text read by character")
        XCTAssertEqual(SearchTerms.spacedTerms(" ,。 "), "")
    }

    func testASingleChineseCharacterIsItsOwnTerm() {
        XCTAssertEqual(SearchTerms.terms("井"), ["井"])
        XCTAssertEqual(SearchTerms.queryTerms("  井 "), ["井"])
    }

    // MARK: Photos

    func testPhotosAreRecognisedByTheirBytes() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]
        let webp: [UInt8] = Array("RIFF".utf8) + [0x24, 0x00, 0x00, 0x00] + Array("WEBPVP8 ".utf8)
        XCTAssertEqual(ImageKind.sniff(jpeg), .jpeg)
        XCTAssertEqual(ImageKind.sniff(Data(jpeg)), .jpeg)
        XCTAssertEqual(ImageKind.sniff(png), .png)
        XCTAssertEqual(ImageKind.sniff(webp), .webp)
        XCTAssertEqual(ImageKind.webp.contentType, "image/webp")
        XCTAssertEqual(ImageKind.jpeg.fileExtension, "jpg")
    }

    func testATextFileRenamedToJpgIsNotAPhoto() {
        XCTAssertNil(ImageKind.sniff(Array("hello".utf8)))
        XCTAssertNil(ImageKind.sniff(Data("hello".utf8)))
        XCTAssertNil(ImageKind.sniff([UInt8]()))
        XCTAssertNil(ImageKind.sniff([0xFF, 0xD8] as [UInt8]), "a truncated JPEG header")
        XCTAssertNil(ImageKind.sniff(Array("RIFF".utf8) + [0x24, 0x00, 0x00, 0x00] + Array("WAVEfmt ".utf8)), "a WAV file")
    }

    // MARK: Intake

    func testDescriptionsMustBeFiveToTwoThousandCharacters() throws {
        XCTAssertEqual(try IntakeRules.description("井盖缺失了"), "井盖缺失了")
        XCTAssertEqual(try IntakeRules.description(String(repeating: "字", count: 2000)).count, 2000)
        for bad in [nil, "", "井盖缺失", String(repeating: "字", count: 2001)] as [String?] {
            assertAppError(try IntakeRules.description(bad), .badRequest, code: "case.description", field: "description",
                           "\(bad?.count ?? -1) characters")
        }
    }

    func testDescriptionsAreTrimmedBeforeCounting() throws {
        assertAppError(try IntakeRules.description("   井盖缺失 \n\t"), .badRequest, field: "description")
        XCTAssertEqual(try IntakeRules.description("  井盖缺失了 \n"), "井盖缺失了")
        XCTAssertEqual(try IntakeRules.description(" " + String(repeating: "字", count: 2000) + "\n").count, 2000)
        XCTAssertEqual(try IntakeRules.description("\u{3000}井盖缺失了\u{3000}"), "井盖缺失了", "an ideographic space")
    }

    /// Text is trimmed as Foundation trims it, whether an end is blank or not.
    func testTrimmingLeavesWhatFoundationLeaves() {
        for text in ["", " ", "井盖", " 井盖", "井盖\n", "\u{3000}井 盖\u{3000}", "\t\r\n", "a\u{301}", " \u{301}", "井\u{85}", "\u{A0}x\u{2029}"] {
            for blank in [CharacterSet.whitespacesAndNewlines, .whitespaces] {
                XCTAssertEqual(text.trimmed(of: blank), text.trimmingCharacters(in: blank), text.debugDescription)
                XCTAssertEqual(text[...].trimmed(of: blank), text.trimmingCharacters(in: blank), text.debugDescription)
            }
        }
    }

    func testALocationNeedsBothCoordinatesInRange() throws {
        XCTAssertNil(try IntakeRules.location(lat: nil, lon: nil))
        XCTAssertEqual(try IntakeRules.location(lat: 30.25, lon: 120.16), GeoPoint(lon: 120.16, lat: 30.25))
        XCTAssertEqual(try IntakeRules.location(lat: -90, lon: 180), GeoPoint(lon: 180, lat: -90))
        let bad: [(Double?, Double?)] = [(30.25, nil), (nil, 120.16), (90.5, 120), (30, 180.5), (-91, 0), (0, -181), (.nan, 120)]
        for (lat, lon) in bad {
            assertAppError(try IntakeRules.location(lat: lat, lon: lon), .badRequest, code: "case.location", field: "location",
                           "\(String(describing: lat)), \(String(describing: lon))")
        }
    }

    func testPhoneNumbersMustLookLikePhoneNumbers() throws {
        XCTAssertEqual(try IntakeRules.phone("13912345678"), "13912345678")
        XCTAssertEqual(try IntakeRules.phone("0571-88001234"), "0571-88001234")
        XCTAssertEqual(try IntakeRules.phone(" 13912345678 "), "13912345678")
        XCTAssertNil(try IntakeRules.phone(nil))
        XCTAssertNil(try IntakeRules.phone("  "))
        for bad in ["call me", "1391234567８", "1234", "139-1234-5678-0000-0000"] {
            assertAppError(try IntakeRules.phone(bad), .badRequest, code: "case.phone", field: "reporterPhone", bad)
        }
    }

    /// A state read back from its stored name is the state the synthesized initializer reads, and a name of no state
    /// (another case, a prefix, a longer name, the Chinese name) is none.
    func testAStoredStateReadsBackAsItsRawValueDoes() {
        for state in CaseState.allCases {
            XCTAssertEqual(CaseState(stored: state.rawValue), state)
            XCTAssertEqual(CaseState.all[state.ordinal], state)
        }
        XCTAssertEqual(CaseState.all, CaseState.allCases)
        for name in ["", "Reported", "report", "reported ", "in progress", "inProgress", "archived2", "待受理"] {
            XCTAssertNil(CaseState(stored: name), name)
            XCTAssertNil(CaseState(rawValue: name), name)
        }
    }
}
