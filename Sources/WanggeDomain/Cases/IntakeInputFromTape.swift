import Foundation

// Every report's body is read into an `IntakeInput`. Through its synthesized `init(from:)` that was 2% of the
// server's samples under intake (a search of the object for each of sixteen keys, a container per value, the
// location a container of its own); read from the tape here, in one pass, it comes out the same and fails with the
// same errors as through Foundation's `JSONDecoder`, which the API turns into its 400 answers.
// `TapeJSONDecoderTests.testReportsReadDirectlyAsJSONDecoderReadsThem` fails when a field is added to `IntakeInput` and not read here.

extension IntakeInput: JSONReadable {
    private static let names: [StaticString] = [
        "channel", "description", "categoryCode", "location", "address", "gridCode", "reporterName", "reporterPhone", "anonymous",
        "urgency", "hotlineNumber", "hotlineTicket", "petitionKind", "resolvedOnSpot", "result", "attributes",
    ]

    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        var members = try TapeMemberCursor(reader: reader, at: index, path: path, names: Self.names)

        self.init(channel: try members.requiredText(), description: try members.requiredText())
        categoryCode = try members.optionalText()
        location = try members.optional { try Location(reader: reader, at: $0, path: reader.node(path, $1)) }
        address = try members.optionalText()
        gridCode = try members.optionalText()
        reporterName = try members.optionalText()
        reporterPhone = try members.optionalText()
        anonymous = try members.optionalFlag()
        urgency = try members.optionalText()
        hotlineNumber = try members.optionalText()
        hotlineTicket = try members.optionalText()
        petitionKind = try members.optionalText()
        resolvedOnSpot = try members.optionalFlag()
        result = try members.optionalText()
        // Rare (Open311's extra fields): read as any dictionary is.
        attributes = try members.optional { try reader.value([String: [String]].self, at: $0, parent: path, key: NamedKey($1.description)) }
    }
}

extension IntakeInput.Location: JSONReadable {
    private static let names: [StaticString] = ["lat", "lon"]

    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let found = try reader.members(of: index, path: path, named: Self.names)
        let (lat, lon) = (found[0], found[1])
        self.init(lat: try reader.floating(Double.self, at: reader.required(lat, "lat", path: path), path, NamedKey("lat")),
                  lon: try reader.floating(Double.self, at: reader.required(lon, "lon", path: path), path, NamedKey("lon")))
    }
}
