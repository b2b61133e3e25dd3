import Vapor
import XCTest
import XCTVapor
@testable import WanggeWeb

final class OpenAPITests: XCTestCase {
    func testEveryAPIRouteIsDescribedAndNothingElse() async throws {
        try await withApp(demo: false) { t in
            let routes = Set(t.app.routes.all.filter { $0.path.first?.description == "api" && $0.path.dropFirst().first?.description == "v1" }
                .map { route in
                    route.method.rawValue.lowercased() + " /" + route.path.map { component -> String in
                        let text = component.description
                        return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                    }.joined(separator: "/")
                })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            XCTAssertEqual(routes.subtracting(documented), [], "routes missing from the OpenAPI document")
            XCTAssertEqual(documented.subtracting(routes), [], "documented operations with no route")
        }
    }

    func testTheDocumentIsServedAsOpenAPI31() async throws {
        try await withApp(demo: false) { t in
            let r = try await t.api(.GET, "/api/v1/openapi.json")
            XCTAssertEqual(r.status, .ok)
            let doc = try r.body.json()
            XCTAssertEqual(doc["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(doc["paths"] as? [String: Any])
            let transition = (paths["/api/v1/cases/{code}/transitions"] as? [String: Any])?["post"] as? [String: Any]
            XCTAssertNotNil(transition?["requestBody"])
            // Every $ref points at a schema that exists.
            let schemas = Set(((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])?.keys.map { $0 } ?? [])
            let refs = Set(r.body.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) })
            XCTAssertEqual(refs.subtracting(schemas), [])
            let page = try await t.api(.GET, "/api/docs")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.contains("/api/v1/cases/{code}/transitions"))
        }
    }
}
