import Foundation

// A case's snapshot is written at intake and at every transition, and its counters go into every case
// answer. Written field by field (`JSONObjectWriter`), as their synthesized `encode(to:)` writes them;
// `TapeJSONDecoderTests.testSnapshotsReadDirectlyAsJSONDecoderReadsThem` reads what is written back
// through both decoders, from a snapshot with every field set, and compares it with Foundation's output.

extension CaseSnapshot: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("state", state.rawValue)
            w.field("centreOrgCode", centreOrgCode)
            w.field("gridCode", gridCode)
            w.field("categoryCode", categoryCode)
            w.field("reporterUsername", reporterUsername)
            w.field("leadDepartmentCode", leadDepartmentCode)
            try w.field("coDepartmentCodes", coDepartmentCodes)
            w.field("assignedGridCode", assignedGridCode)
            w.field("handlerUsername", handlerUsername)
            w.field("resultBy", resultBy)
            w.field("resolvedOnSpot", resolvedOnSpot)
            w.field("rating", rating?.rawValue)
            w.field("masterCode", masterCode)
            w.field("extensionRequested", extensionRequested)
            w.field("requestedExtensionHours", requestedExtensionHours)
            w.field("extensionsGranted", extensionsGranted)
            w.field("extensionHoursGranted", extensionHoursGranted)
            w.field("escalationRequested", escalationRequested)
            try w.field("counters", counters)
        }
    }
}

extension CaseSnapshot.Counters: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("returns", returns)
            w.field("reworks", reworks)
            w.field("reminders", reminders)
            w.field("supervisions", supervisions)
            w.field("reopens", reopens)
            w.field("escalations", escalations)
            w.field("pushDowns", pushDowns)
            w.field("merged", merged)
        }
    }
}
