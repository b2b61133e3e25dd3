import Foundation

/// JSON Schema pieces for the OpenAPI document. Optional fields that Swift leaves out when nil are
/// simply not `required`; objects allow further properties so new fields do not break clients.
enum Schema {
    typealias JSON = [String: Any]

    static var string: JSON { ["type": "string"] }
    static var integer: JSON { ["type": "integer"] }
    static var number: JSON { ["type": "number"] }
    static var boolean: JSON { ["type": "boolean"] }
    static var dateTime: JSON { ["type": "string", "format": "date-time"] }
    static var nullableString: JSON { ["type": ["string", "null"]] }
    static var anyObject: JSON { ["type": "object"] }

    static func ref(_ name: String) -> JSON { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: JSON) -> JSON { ["type": "array", "items": items] }
    static func enumeration(_ values: [String]) -> JSON { ["type": "string", "enum": values] }

    static func object(_ properties: [String: JSON], required: [String] = []) -> JSON {
        var schema: JSON = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    static var components: JSON {
        let codeName = object(["code": string, "name": string], required: ["code", "name"])
        let clock = object(["startedAt": dateTime, "dueAt": dateTime, "metAt": dateTime, "met": boolean, "limit": string],
                           required: ["startedAt", "dueAt", "limit"])
        let summary = object([
            "code": string, "state": string, "stateName": string, "channel": string, "description": string, "category": codeName,
            "urgency": string, "address": string, "gridCode": string, "leadDepartmentCode": string, "warning": enumeration(["none", "blue", "yellow", "red"]),
            "dueAt": dateTime, "createdAt": dateTime,
        ], required: ["code", "state", "stateName", "channel", "description", "urgency", "warning", "createdAt"])
        let counters = object(["returns": integer, "reworks": integer, "reminders": integer, "supervisions": integer, "reopens": integer,
                               "escalations": integer, "pushDowns": integer, "merged": integer])
        let counts = object(Dictionary(uniqueKeysWithValues: ["received", "registered", "dispatched", "respondedInTime", "closed", "closedOnTime",
                                                              "overdue", "returned", "reworked", "satisfied", "basicallySatisfied", "unsatisfied",
                                                              "reopened"].map { ($0, integer) }))
        let period = object(["token": string, "kind": string, "label": string, "first": string, "last": string],
                            required: ["token", "kind", "label", "first", "last"])
        let rate = object(["rate": string, "name": string, "value": number, "display": string, "denominator": integer, "explanation": string,
                           "higherIsBetter": boolean], required: ["rate", "name", "display", "denominator", "explanation"])
        let ranked = object(["position": integer, "code": string, "name": string, "value": number, "display": string, "volume": integer,
                             "counts": counts], required: ["position", "code", "name", "display", "volume", "counts"])
        let indexScore: JSON = ["type": "object", "properties": ["id": string, "name": string, "weight": number, "score": number, "raw": number,
                                                                 "children": ["type": "array", "items": ["$ref": "#/components/schemas/IndexScore"]]],
                                "required": ["id", "name", "weight", "children"]]
        return [
            "AssessmentSummary": object(["area": codeName, "period": period, "counts": counts, "rates": array(rate), "open": integer,
                                         "overdueOpen": integer, "basicallySatisfiedWeight": number],
                                        required: ["area", "period", "counts", "rates", "open", "overdueOpen"]),
            "Rankings": object(["area": codeName, "period": period, "level": string, "rate": string, "items": array(ranked), "red": array(ranked),
                                "black": array(ranked)], required: ["area", "period", "level", "rate", "items", "red", "black"]),
            "IndexScore": indexScore,
            "IndexResult": object(["area": codeName, "period": period, "name": string, "score": ref("IndexScore"),
                                   "children": array(object(["code": string, "name": string, "score": ref("IndexScore")]))],
                                  required: ["area", "period", "name", "score", "children"]),
            "AssessmentSettings": object(["basicallySatisfiedWeight": number, "index": anyObject], required: ["basicallySatisfiedWeight", "index"]),
            "Error": object(["error": object(["code": string, "message": string, "field": string], required: ["code", "message"])], required: ["error"]),
            "Me": object(["username": string, "displayName": string, "role": string, "orgCode": string, "orgLevel": string,
                          "departmentCode": string, "gridCodes": array(string)], required: ["username", "role", "orgCode", "gridCodes"]),
            "Token": object(["token": string, "expiresAt": dateTime, "user": ref("Me")], required: ["token", "expiresAt", "user"]),
            "Credentials": object(["username": string, "password": string], required: ["username", "password"]),
            "PasswordChange": object(["currentPassword": string, "newPassword": string], required: ["currentPassword", "newPassword"]),
            "OrgUnit": object(["code": string, "name": string, "level": string, "levelName": string, "parentCode": string, "path": string,
                               "geometry": anyObject, "boundingBox": array(number)], required: ["code", "name", "level", "path"]),
            "OrgUnitPage": object(["items": array(ref("OrgUnit")), "next": string], required: ["items"]),
            "UserPage": object(["items": array(ref("User")), "next": string], required: ["items"]),
            "OrgUnitInput": object(["code": string, "name": string, "level": enumeration(["city", "county", "township", "village", "grid"]),
                                    "parentCode": string, "geometry": string], required: ["code", "name", "level"]),
            "OrgUnitUpdate": object(["name": string, "geometry": string]),
            "Located": object(["gridCode": string, "gridName": string]),
            "Department": object(["code": string, "name": string, "orgCode": string, "active": boolean], required: ["code", "name", "orgCode", "active"]),
            "DepartmentInput": object(["code": string, "name": string, "orgCode": string], required: ["code", "name", "orgCode"]),
            "User": object(["username": string, "displayName": string, "role": string, "roleName": string, "orgCode": string,
                            "departmentCode": string, "phone": string, "gridCodes": array(string)], required: ["username", "role", "orgCode"]),
            "UserInput": object(["username": string, "displayName": string, "password": string, "role": string, "orgCode": string,
                                 "departmentCode": string, "phone": string, "gridCodes": array(string)], required: ["username", "password", "role", "orgCode"]),
            "Category": object(["code": string, "name": string, "parentCode": string, "defaultLevel": string, "defaultDepartmentCode": string],
                               required: ["code", "name"]),
            "CategoryInput": object(["code": string, "name": string, "parentCode": string, "defaultLevel": string,
                                     "defaultDepartmentCode": string, "active": boolean], required: ["code", "name"]),
            "IntakeInput": object([
                "channel": enumeration(["citizen", "patrol", "hotline", "window", "petition", "open311"]), "description": string,
                "categoryCode": string, "location": object(["lat": number, "lon": number], required: ["lat", "lon"]), "address": string,
                "gridCode": string, "reporterName": string, "reporterPhone": string, "canRevealContact": boolean, "anonymous": boolean,
                "urgency": enumeration(["normal", "urgent", "critical"]), "hotlineNumber": string, "hotlineTicket": string,
                "petitionKind": enumeration(["letter", "visit"]), "resolvedOnSpot": boolean, "result": string,
            ], required: ["channel", "description"]),
            "IntakeResult": object(["code": string, "queryCode": string, "state": string, "stateName": string, "channel": string, "gridCode": string,
                                    "outsideGrids": boolean, "version": integer, "trackURL": string, "duplicateHints": array(summary)],
                                   required: ["code", "queryCode", "state", "version", "duplicateHints"]),
            "CaseSummary": summary,
            "CaseSummaryPage": object(["items": array(summary), "next": string], required: ["items"]),
            "Case": object([
                "code": string, "version": integer, "state": string, "stateName": string, "channel": string, "channelName": string,
                "description": string, "category": codeName, "urgency": string, "location": object(["lat": number, "lon": number]),
                "address": string, "outsideGrids": boolean, "grid": codeName, "townshipCode": string, "centre": codeName,
                "leadDepartment": codeName, "coDepartments": array(codeName), "assignedGrid": string, "handler": string,
                "reporterName": string, "reporterPhone": string, "canRevealContact": boolean, "anonymous": boolean, "hotlineNumber": string, "hotlineTicket": string,
                "petitionKind": string, "result": string, "rating": string, "masterCode": string, "counters": counters,
                "extensionRequested": boolean, "escalationRequested": boolean, "resolvedOnSpot": boolean, "allowedActions": array(string),
                "attachments": array(object(["id": integer, "contentType": string, "size": integer, "url": string])),
                "deadlines": object(["accept": clock, "resolve": clock, "reply": clock]),
                "warning": enumeration(["none", "blue", "yellow", "red"]), "overdueAt": dateTime,
                "createdAt": dateTime, "updatedAt": dateTime, "closedAt": dateTime,
            ], required: ["code", "version", "state", "channel", "description", "allowedActions", "deadlines", "warning", "createdAt"]),
            "Transition": object([
                "action": string, "version": integer, "note": string, "categoryCode": string, "departmentCode": string,
                "coDepartmentCodes": array(string), "gridCode": string, "targetOrgCode": string, "masterCode": string,
                "rating": enumeration(["satisfied", "basically_satisfied", "unsatisfied"]), "result": string, "extensionHours": integer,
            ], required: ["action"]),
            "CaseEvent": object([
                "seq": integer, "action": string, "actionName": string, "fromState": string, "toState": string,
                "actor": object(["username": string, "name": string, "role": string, "orgCode": string, "departmentCode": string], required: ["name", "role"]),
                "note": string, "isPublic": boolean, "attachmentIDs": array(integer), "createdAt": dateTime,
            ], required: ["seq", "action", "toState", "actor", "createdAt"]),
            "Track": object([
                "code": string, "state": string, "stateName": string, "category": string, "createdAt": dateTime, "reply": string,
                "rating": string, "canEvaluate": boolean, "photos": array(string),
                "timeline": array(object(["action": string, "actionName": string, "stateName": string, "by": string, "note": string, "at": dateTime],
                                         required: ["action", "by", "at"])),
            ], required: ["code", "state", "timeline", "canEvaluate"]),
            "Evaluation": object(["rating": enumeration(["satisfied", "basically_satisfied", "unsatisfied"]), "comment": string], required: ["rating"]),
            "Inbox": object(["unread": integer, "next": string, "items": array(object([
                "id": integer, "kind": string, "caseCode": string, "title": string, "body": string, "createdAt": dateTime, "read": boolean,
            ], required: ["id", "kind", "title", "createdAt", "read"]))], required: ["unread", "items"]),
            "CalendarYear": object(["year": integer, "holidays": array(string), "workdays": array(string), "source": string],
                                   required: ["year", "holidays", "workdays"]),
            "SLARule": object(["categoryCode": string, "urgency": string, "acceptMinutes": integer, "resolveWorkingDays": integer,
                               "resolveMinutes": integer, "replyWorkingDays": integer], required: ["acceptMinutes", "replyWorkingDays"]),
            "WarningThresholds": object(["blue": number, "yellow": number, "red": number, "stored": boolean],
                                        required: ["blue", "yellow", "red", "stored"]),
            "WarningThresholdsInput": object(["blue": number, "yellow": number, "red": number], required: ["blue", "yellow"]),
            "WarningCount": object(["orgCode": string, "name": string, "red": integer, "yellow": integer, "blue": integer],
                                   required: ["orgCode", "red", "yellow", "blue"]),
            "APIKey": object(["id": string, "name": string, "keyPrefix": string, "active": boolean, "requestsPerMinute": integer,
                              "createdAt": dateTime, "key": string], required: ["id", "name", "active"]),
            "APIKeyInput": object(["name": string, "requestsPerMinute": integer], required: ["name"]),
        ]
    }
}
