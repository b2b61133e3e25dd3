import Foundation

// A case's clocks are written at intake and at every transition. Written field by field
// (`JSONObjectWriter`), as their synthesized `encode(to:)` writes them;
// `TapeJSONDecoderTests.testClocksReadDirectlyAsJSONDecoderReadsThem` reads what is written back through
// both decoders and compares it with Foundation's output.

extension CaseDeadlines: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("accept", accept)
            try w.field("resolve", resolve)
            try w.field("reply", reply)
        }
    }
}

extension Deadline: JSONWritable {
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("startedAt", startedAt)
            try w.field("dueAt", dueAt)
            try w.field("metAt", metAt)
            try w.field("duration", duration)
        }
    }
}

extension SLADuration: JSONWritable {
    /// As the synthesized coding writes a case with a value: `{"minutes": {"_0": 60}}`.
    package func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            switch self {
            case let .minutes(count): try w.field("minutes", Payload(count: count))
            case let .workingDays(count): try w.field("workingDays", Payload(count: count))
            }
        }
    }

    private struct Payload: JSONWritable {
        let count: Int
        func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
            output.object(parent: parent, key: key) { w in w.field("_0", count) }
        }
    }
}
