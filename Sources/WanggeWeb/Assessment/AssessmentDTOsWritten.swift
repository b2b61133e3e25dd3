import Foundation
import WanggeDomain

// A ranking of a county's thousand grids was half of its CPU in `Encodable` (each grid's thirteen counts through a
// keyed container), on the event loop after the handler had left the heavy lane. These write their own JSON (see
// `JSONObjectWriter`), field for field what their synthesized `Encodable` writes, in the order declared; the ranking
// answers with `Response(json:)`, written on the lane. `HandWrittenJSONTests` binds the two. A field added to one of
// these types must be added here.

extension AssessmentAPIController.RankingsDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("area", area)
            try w.field("period", period)
            w.field("level", level)
            w.field("rate", rate)
            try w.field("items", items)
            try w.field("red", red)
            try w.field("black", black)
        }
    }
}

extension AssessmentAPIController.RankedDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            w.field("position", position)
            w.field("code", code)
            w.field("name", name)
            try w.field("value", value)
            w.field("display", display)
            w.field("volume", volume)
            try w.field("counts", counts)
        }
    }
}

extension CountsDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("received", received)
            w.field("registered", registered)
            w.field("dispatched", dispatched)
            w.field("respondedInTime", respondedInTime)
            w.field("closed", closed)
            w.field("closedOnTime", closedOnTime)
            w.field("overdue", overdue)
            w.field("returned", returned)
            w.field("reworked", reworked)
            w.field("satisfied", satisfied)
            w.field("basicallySatisfied", basicallySatisfied)
            w.field("unsatisfied", unsatisfied)
            w.field("reopened", reopened)
        }
    }
}

extension PeriodDTO: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        output.object(parent: parent, key: key) { w in
            w.field("token", token)
            w.field("kind", kind)
            w.field("label", label)
            w.field("first", first)
            w.field("last", last)
        }
    }
}
