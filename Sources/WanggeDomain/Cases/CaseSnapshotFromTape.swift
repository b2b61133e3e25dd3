import Foundation

// A case's snapshot is read on every case page, timeline and transition. Through its synthesized
// `init(from:)` it was 3.4% of a case page (a search of the object per key, a container per value);
// read from the tape here, in one pass, it comes out the same and fails with the same errors as
// through Foundation's `JSONDecoder`. `TapeJSONDecoderTests.testSnapshotsReadDirectlyAsJSONDecoderReadsThem`
// fails when a field is added to `CaseSnapshot` and not read here.

extension CaseSnapshot: JSONReadable {
    private static let names: [StaticString] = [
        "state", "centreOrgCode", "gridCode", "categoryCode", "reporterUsername", "leadDepartmentCode", "coDepartmentCodes",
        "assignedGridCode", "handlerUsername", "resultBy", "resolvedOnSpot", "rating", "masterCode", "extensionRequested",
        "requestedExtensionHours", "extensionsGranted", "extensionHoursGranted", "escalationRequested", "counters",
    ]

    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        var members = try TapeMemberCursor(reader: reader, at: index, path: path, names: Self.names)

        let state = try members.required { try reader.rawValue(CaseState.self, at: $0, path, $1) }
        self.init(state: state, centreOrgCode: try members.requiredText())
        gridCode = try members.optionalText()
        categoryCode = try members.optionalText()
        reporterUsername = try members.optionalText()
        leadDepartmentCode = try members.optionalText()
        coDepartmentCodes = try members.required { try reader.strings(at: $0, reader.node(path, $1)) }
        assignedGridCode = try members.optionalText()
        handlerUsername = try members.optionalText()
        resultBy = try members.optionalText()
        resolvedOnSpot = try members.requiredFlag()
        rating = try members.optional { try reader.rawValue(Rating.self, at: $0, path, $1) }
        masterCode = try members.optionalText()
        extensionRequested = try members.requiredFlag()
        requestedExtensionHours = try members.optionalNumber()
        extensionsGranted = try members.requiredNumber()
        extensionHoursGranted = try members.requiredNumber()
        escalationRequested = try members.requiredFlag()
        counters = try members.required { try Counters(reader: reader, at: $0, path: reader.node(path, $1)) }
    }
}

extension CaseSnapshot.Counters: JSONReadable {
    private static let names: [StaticString] = ["returns", "reworks", "reminders", "supervisions", "reopens", "escalations", "pushDowns", "merged"]

    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let found = try reader.members(of: index, path: path, named: Self.names)
        let counts = try zip(found, Self.names).map { at, name in
            try reader.integer(Int.self, at: reader.required(at, name, path: path), path, NamedKey(name.description))
        }
        self.init()
        (returns, reworks, reminders, supervisions) = (counts[0], counts[1], counts[2], counts[3])
        (reopens, escalations, pushDowns, merged) = (counts[4], counts[5], counts[6], counts[7])
    }
}
