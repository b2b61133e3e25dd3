import Foundation
import WanggeDomain

/// The OpenAPI 3.1 description of every `/api/v1` route. A test compares it with the route table,
/// so a route added without documentation fails the build.
enum OpenAPIDocument {
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var tag: String
        var auth = true
        var query: [(String, Schema.JSON)] = []
        var body: String?
        var bodyType = "application/json"
        var status = 200
        var response: Schema.JSON?
        var responseType = "application/json"
    }

    static var pathParameters: [String: Schema.JSON] { [
        "code": Schema.string, "username": Schema.string, "queryCode": Schema.string, "year": Schema.integer,
        "id": Schema.string,
    ] }

    static var operations: [Operation] {
        let page: [(String, Schema.JSON)] = [("after", Schema.string), ("limit", ["type": "integer", "minimum": 1, "maximum": 100])]
        return [
            Operation(method: "post", path: "/api/v1/auth/token", summary: "Sign in: a bearer token", tag: "auth", auth: false,
                      body: "Credentials", status: 201, response: Schema.ref("Token")),
            Operation(method: "delete", path: "/api/v1/auth/token", summary: "Sign out: revoke this token", tag: "auth", status: 204),
            Operation(method: "get", path: "/api/v1/me", summary: "Who am I", tag: "auth", response: Schema.ref("Me")),
            Operation(method: "post", path: "/api/v1/me/password", summary: "Change my password", tag: "auth", body: "PasswordChange", status: 204),
            Operation(method: "get", path: "/api/v1/org-units", summary: "Units in my scope", tag: "organisation",
                      query: [("level", Schema.string), ("within", Schema.string)] + page, response: Schema.ref("OrgUnitPage")),
            Operation(method: "post", path: "/api/v1/org-units", summary: "Create a unit (admin)", tag: "organisation", body: "OrgUnitInput",
                      status: 201, response: Schema.ref("OrgUnit")),
            Operation(method: "get", path: "/api/v1/org-units/{code}", summary: "One unit, with its polygon for grids", tag: "organisation",
                      response: Schema.ref("OrgUnit")),
            Operation(method: "patch", path: "/api/v1/org-units/{code}", summary: "Rename a unit or replace a grid's boundary (admin)",
                      tag: "organisation", body: "OrgUnitUpdate", response: Schema.ref("OrgUnit")),
            Operation(method: "get", path: "/api/v1/org-units/{code}/children", summary: "Units directly below", tag: "organisation",
                      response: Schema.array(Schema.ref("OrgUnit"))),
            Operation(method: "get", path: "/api/v1/grids/locate", summary: "Which grid holds a point", tag: "organisation", auth: false,
                      query: [("lat", Schema.number), ("lon", Schema.number)], response: Schema.ref("Located")),
            Operation(method: "get", path: "/api/v1/departments", summary: "Departments in my scope", tag: "organisation",
                      response: Schema.array(Schema.ref("Department"))),
            Operation(method: "post", path: "/api/v1/departments", summary: "Create a department (admin)", tag: "organisation",
                      body: "DepartmentInput", status: 201, response: Schema.ref("Department")),
            Operation(method: "get", path: "/api/v1/departments/{code}", summary: "One department", tag: "organisation",
                      response: Schema.ref("Department")),
            Operation(method: "get", path: "/api/v1/users", summary: "Users of my subtree (admin)", tag: "people",
                      query: [("role", Schema.string), ("within", Schema.string), ("q", Schema.string), ("after", Schema.string),
                              ("limit", ["type": "integer", "minimum": 1, "maximum": UserFilter.maxLimit])],
                      response: Schema.ref("UserPage")),
            Operation(method: "post", path: "/api/v1/users", summary: "Create a user (admin)", tag: "people", body: "UserInput",
                      status: 201, response: Schema.ref("User")),
            Operation(method: "get", path: "/api/v1/users/{username}", summary: "One user (admin)", tag: "people", response: Schema.ref("User")),
            Operation(method: "post", path: "/api/v1/cases", summary: "Report a problem (citizen channel needs no sign-in)", tag: "cases",
                      auth: false, body: "IntakeInput", status: 201, response: Schema.ref("IntakeResult")),
            Operation(method: "get", path: "/api/v1/cases", summary: "Work queues with filters, newest first", tag: "cases",
                      query: [("queue", Schema.string), ("status", Schema.string), ("category", Schema.string), ("channel", Schema.string),
                              ("urgency", Schema.string), ("within", Schema.string), ("from", Schema.string), ("to", Schema.string),
                              ("q", Schema.string), ("warning", Schema.string)] + page, response: Schema.ref("CaseSummaryPage")),
            Operation(method: "get", path: "/api/v1/cases/{code}", summary: "One case with the actions allowed to me", tag: "cases",
                      response: Schema.ref("Case")),
            Operation(method: "get", path: "/api/v1/cases/{code}/events", summary: "The case's timeline", tag: "cases",
                      response: Schema.array(Schema.ref("CaseEvent"))),
            Operation(method: "get", path: "/api/v1/cases/{code}/duplicates", summary: "Open cases nearby of the same category", tag: "cases",
                      response: Schema.array(Schema.ref("CaseSummary"))),
            Operation(method: "post", path: "/api/v1/cases/{code}/transitions", summary: "Perform one action", tag: "cases",
                      body: "Transition", response: Schema.ref("Case")),
            Operation(method: "get", path: "/api/v1/cases/{code}/attachments/{id}", summary: "A photo of the case", tag: "cases",
                      response: ["type": "string", "format": "binary"], responseType: "image/*"),
            Operation(method: "post", path: "/api/v1/cases/{code}/contact", summary: "Reveal the reporter's contact (logged)", tag: "cases",
                      response: Schema.object(["reporterName": Schema.string, "reporterPhone": Schema.string])),
            Operation(method: "get", path: "/api/v1/access-log", summary: "Who saw whose personal data (admin)", tag: "people",
                      response: Schema.array(Schema.object(["username": Schema.string, "role": Schema.string, "subject": Schema.string,
                                                            "field": Schema.string, "clientAddress": Schema.string, "at": Schema.dateTime],
                                                           required: ["username", "subject", "field", "at"]))),
            Operation(method: "get", path: "/api/v1/track/{queryCode}", summary: "Follow a case with its query code", tag: "tracking",
                      auth: false, response: Schema.ref("Track")),
            Operation(method: "post", path: "/api/v1/track/{queryCode}/evaluation", summary: "Rate the result", tag: "tracking",
                      auth: false, body: "Evaluation", response: Schema.ref("Track")),
            Operation(method: "get", path: "/api/v1/track/{queryCode}/photos/{id}", summary: "A photo of the result", tag: "tracking",
                      auth: false, response: ["type": "string", "format": "binary"], responseType: "image/*"),
            Operation(method: "get", path: "/api/v1/categories", summary: "The category taxonomy", tag: "categories", auth: false,
                      response: Schema.array(Schema.ref("Category"))),
            Operation(method: "post", path: "/api/v1/categories", summary: "Create a category (admin)", tag: "categories",
                      body: "CategoryInput", status: 201, response: Schema.ref("Category")),
            Operation(method: "patch", path: "/api/v1/categories/{code}", summary: "Edit or retire a category (admin)", tag: "categories",
                      body: "CategoryInput", response: Schema.ref("Category")),
            Operation(method: "get", path: "/api/v1/notifications", summary: "My inbox", tag: "notifications",
                      query: [("unread", Schema.boolean), ("after", Schema.integer)], response: Schema.ref("Inbox")),
            Operation(method: "post", path: "/api/v1/notifications/{id}/read", summary: "Mark one read", tag: "notifications", status: 204),
            Operation(method: "post", path: "/api/v1/notifications/read-all", summary: "Mark all read", tag: "notifications", status: 204),
            Operation(method: "get", path: "/api/v1/calendar/{year}", summary: "Holidays and make-up days of a year", tag: "deadlines",
                      response: Schema.ref("CalendarYear")),
            Operation(method: "put", path: "/api/v1/calendar/{year}", summary: "Add or replace a year (admin)", tag: "deadlines",
                      body: "CalendarYear", response: Schema.ref("CalendarYear")),
            Operation(method: "put", path: "/api/v1/sla-rules", summary: "Set a deadline rule (admin)", tag: "deadlines", body: "SLARule", status: 204),
            Operation(method: "get", path: "/api/v1/sla-thresholds", summary: "The warning thresholds in force (staff)", tag: "deadlines",
                      response: Schema.ref("WarningThresholds")),
            Operation(method: "put", path: "/api/v1/sla-thresholds", summary: "Set the county's warning thresholds (admin)", tag: "deadlines",
                      body: "WarningThresholdsInput", response: Schema.ref("WarningThresholds")),
            Operation(method: "get", path: "/api/v1/warnings", summary: "Red/yellow/blue counts per area", tag: "deadlines",
                      query: [("within", Schema.string)], response: Schema.array(Schema.ref("WarningCount"))),
            Operation(method: "get", path: "/api/v1/open311-keys", summary: "Open311 client keys (admin)", tag: "open311",
                      response: Schema.array(Schema.ref("APIKey"))),
            Operation(method: "post", path: "/api/v1/open311-keys", summary: "Issue a key; shown once (admin)", tag: "open311",
                      body: "APIKeyInput", status: 201, response: Schema.ref("APIKey")),
            Operation(method: "delete", path: "/api/v1/open311-keys/{id}", summary: "Revoke a key (admin)", tag: "open311", status: 204),
            Operation(method: "get", path: "/api/v1/assessment/summary", summary: "Counts and rates of an area in a period (from the rollups)",
                      tag: "assessment", query: [("area", Schema.string), ("period", Schema.string)], response: Schema.ref("AssessmentSummary")),
            Operation(method: "get", path: "/api/v1/assessment/rankings", summary: "Units of an area ranked by one rate, with the red and black lists",
                      tag: "assessment", query: [("area", Schema.string), ("period", Schema.string), ("level", Schema.string), ("rate", Schema.string),
                                                 ("n", Schema.integer)], response: Schema.ref("Rankings")),
            Operation(method: "get", path: "/api/v1/assessment/index", summary: "The composite index of an area and of its child units",
                      tag: "assessment", query: [("area", Schema.string), ("period", Schema.string)], response: Schema.ref("IndexResult")),
            Operation(method: "get", path: "/api/v1/assessment/settings", summary: "The index definition and the weight of 基本满意",
                      tag: "assessment", response: Schema.ref("AssessmentSettings")),
            Operation(method: "put", path: "/api/v1/assessment/settings", summary: "Change the assessment settings (admin)", tag: "assessment",
                      body: "AssessmentSettings", response: Schema.ref("AssessmentSettings")),
            Operation(method: "get", path: "/api/v1/ping", summary: "A trivial JSON answer (benchmarks)", tag: "meta", auth: false,
                      response: Schema.object(["pong": Schema.boolean], required: ["pong"])),
            Operation(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta", auth: false, response: Schema.anyObject),
        ]
    }

    static var json: Schema.JSON {
        var paths: [String: Schema.JSON] = [:]
        for op in operations {
            var parameters: [Schema.JSON] = []
            for name in pathNames(op.path) {
                parameters.append(["name": name, "in": "path", "required": true, "schema": pathParameters[name] ?? Schema.string])
            }
            for (name, schema) in op.query { parameters.append(["name": name, "in": "query", "required": false, "schema": schema]) }
            var responses: Schema.JSON = [
                "default": ["description": "A client error, with a message in Chinese (or English)",
                            "content": ["application/json": ["schema": Schema.ref("Error")]]],
            ]
            var success: Schema.JSON = ["description": op.status == 204 ? "Done" : "OK"]
            if let response = op.response { success["content"] = [op.responseType: ["schema": response]] }
            responses[String(op.status)] = success
            var operation: Schema.JSON = ["summary": op.summary, "tags": [op.tag], "operationId": operationID(op),
                                          "parameters": parameters, "responses": responses]
            if let body = op.body {
                operation["requestBody"] = ["required": true, "content": [op.bodyType: ["schema": Schema.ref(body)]]]
            }
            operation["security"] = op.auth ? [["bearer": [String]()]] : [Schema.JSON]()
            var item = paths[op.path] ?? [:]
            item[op.method] = operation
            paths[op.path] = item
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Wangge 网格 API", "version": "1.0.0",
                     "description": "Grid-based grassroots governance: intake, dispatch, handling, verification, evaluation. Errors are always {\"error\": {\"code\", \"message\"}} with a 4xx status."],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": ["schemas": Schema.components,
                           "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"]]],
        ]
    }

    static func pathNames(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    static func operationID(_ op: Operation) -> String {
        op.method + op.path.replacingOccurrences(of: "/api/v1", with: "").split(separator: "/")
            .map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.replacingOccurrences(of: "-", with: "_").capitalized }.joined()
    }

    static let data: Data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
}
