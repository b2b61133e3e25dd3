import Foundation
import WanggeDomain
import WanggePersistence

// The case page, its timeline, the queues and intake are asked for all day; their answers write their own JSON
// (see `JSONObjectWriter`), field for field what their synthesized `Encodable` writes, in the order
// declared. `HandWrittenJSONTests` binds the two. A field added to one of these types must be added here.

extension CaseDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("code", code)
            w.field("queryCode", queryCode)
            w.field("version", version)
            w.field("state", state)
            w.field("stateName", stateName)
            w.field("channel", channel)
            w.field("channelName", channelName)
            w.field("description", description)
            try w.field("category", category)
            w.field("urgency", urgency)
            try w.field("location", location)
            w.field("address", address)
            w.field("outsideGrids", outsideGrids)
            try w.field("grid", grid)
            w.field("townshipCode", townshipCode)
            try w.field("centre", centre)
            try w.field("leadDepartment", leadDepartment)
            try w.field("coDepartments", coDepartments)
            w.field("assignedGrid", assignedGrid)
            w.field("handler", handler)
            w.field("reporterName", reporterName)
            w.field("reporterPhone", reporterPhone)
            w.field("canRevealContact", canRevealContact)
            w.field("anonymous", anonymous)
            w.field("hotlineNumber", hotlineNumber)
            w.field("hotlineTicket", hotlineTicket)
            w.field("petitionKind", petitionKind)
            w.field("result", result)
            w.field("rating", rating)
            w.field("masterCode", masterCode)
            try w.field("counters", counters)
            w.field("extensionRequested", extensionRequested)
            w.field("escalationRequested", escalationRequested)
            w.field("resolvedOnSpot", resolvedOnSpot)
            try w.field("allowedActions", allowedActions)
            try w.field("attachments", attachments)
            try w.field("duplicateHints", duplicateHints)
            try w.field("deadlines", deadlines)
            w.field("warning", warning)
            try w.field("overdueAt", overdueAt)
            try w.field("createdAt", createdAt)
            try w.field("updatedAt", updatedAt)
            try w.field("closedAt", closedAt)
        }
    }
}

extension CodeName: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("code", code)
            w.field("name", name)
        }
    }
}

extension IntakeInput.Location: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("lat", lat)
            try w.field("lon", lon)
        }
    }
}

extension CaseSummaryDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("code", code)
            w.field("state", state)
            w.field("stateName", stateName)
            w.field("channel", channel)
            w.field("description", description)
            try w.field("category", category)
            w.field("urgency", urgency)
            w.field("address", address)
            w.field("gridCode", gridCode)
            w.field("leadDepartmentCode", leadDepartmentCode)
            w.field("warning", warning)
            try w.field("dueAt", dueAt)
            try w.field("createdAt", createdAt)
        }
    }
}

extension DeadlinesDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("accept", accept)
            try w.field("resolve", resolve)
            try w.field("reply", reply)
        }
    }
}

extension DeadlinesDTO.Clock: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("startedAt", startedAt)
            try w.field("dueAt", dueAt)
            try w.field("metAt", metAt)
            w.field("met", met)
            w.field("limit", limit)
        }
    }
}

extension AttachmentDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("id", id)
            w.field("contentType", contentType)
            w.field("size", size)
            w.field("url", url)
        }
    }
}

extension CaseEventDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("seq", seq)
            w.field("action", action)
            w.field("actionName", actionName)
            w.field("fromState", fromState)
            w.field("toState", toState)
            try w.field("actor", actor)
            w.field("note", note)
            w.field("isPublic", isPublic)
            try w.field("attachmentIDs", attachmentIDs)
            try w.field("createdAt", createdAt)
        }
    }
}

extension CaseEventDTO.ActorDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("username", username)
            w.field("name", name)
            w.field("role", role)
            w.field("orgCode", orgCode)
            w.field("departmentCode", departmentCode)
        }
    }
}

extension IntakeResponseDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("code", code)
            w.field("queryCode", queryCode)
            w.field("state", state)
            w.field("stateName", stateName)
            w.field("channel", channel)
            w.field("gridCode", gridCode)
            w.field("outsideGrids", outsideGrids)
            w.field("version", version)
            w.field("trackURL", trackURL)
            try w.field("duplicateHints", duplicateHints)
        }
    }
}

extension TrackDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("code", code)
            w.field("state", state)
            w.field("stateName", stateName)
            w.field("category", category)
            try w.field("createdAt", createdAt)
            w.field("reply", reply)
            w.field("rating", rating)
            w.field("canEvaluate", canEvaluate)
            try w.field("timeline", timeline)
            try w.field("photos", photos)
        }
    }
}

extension TrackDTO.Step: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("action", action)
            w.field("actionName", actionName)
            w.field("stateName", stateName)
            w.field("by", by)
            w.field("note", note)
            try w.field("at", at)
        }
    }
}
