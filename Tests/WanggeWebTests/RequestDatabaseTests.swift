import Fluent
import NIOCore
import SQLKit
import Vapor
import XCTest
@testable import WanggeWeb

/// A request's database handle is its event loop's, made once at start (`LoopDatabases`) for every loop
/// of the group, and answers queries on that loop.
final class RequestDatabaseTests: XCTestCase {
    func testEachLoopsRequestsQueryThroughThatLoopsHandle() async throws {
        try await withApp(demo: false) { t in
            var loops = 0
            for loop in t.app.eventLoopGroup.makeIterator() {
                loops += 1
                let request = Request(application: t.app, on: loop)
                XCTAssertTrue(request.database.eventLoop === loop, "a handle on its request's own loop")
                let one = try await (request.database as? any SQLDatabase)?.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self)
                XCTAssertEqual(one, 1, t.database.rawValue)
            }
            XCTAssertEqual(t.app.storage[LoopDatabasesKey.self]?.handles.count, loops)
        }
    }

    /// On SQLite the handle is bound once for the whole request (`SQLiteWriterMiddleware`); on PostgreSQL it is looked
    /// up at each use. Either way a handler gets its own loop's handle, and it answers.
    func testAHandlerGetsItsLoopsHandleBoundOnSQLiteAndLookedUpOnPostgreSQL() async throws {
        try await withApp(demo: false) { t in
            t.app.get("probe-database") { req async throws -> String in
                let handle = req.database
                let one = try await (handle as? any SQLDatabase)?.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self)
                return "bound \(RequestDatabase.bound != nil), own loop's \(handle.eventLoop === req.eventLoop), answers \(one == 1)"
            }
            let (status, body, _) = try await t.api(.GET, "/probe-database")
            XCTAssertEqual(status, .ok)
            XCTAssertEqual(body, "bound \(t.database == .sqlite), own loop's true, answers true", t.database.rawValue)
            XCTAssertNil(RequestDatabase.bound, "nothing bound outside a request")
        }
    }
}
