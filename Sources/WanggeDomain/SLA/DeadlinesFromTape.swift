import Foundation

// A case's clocks are read on every case page. Through their synthesized `init(from:)` three clocks
// took 5% of the page's time (keyed containers, a search of the object per key, the enum's list of
// keys); read from the tape here they come out the same, and fail with the same errors as through
// Foundation's `JSONDecoder` (`TapeJSONDecoderTests.testClocksReadDirectlyAsJSONDecoderReadsThem`).

extension CaseDeadlines: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let found = try reader.members(of: index, path: path, named: ["accept", "resolve", "reply"])
        func clock(_ position: Int, _ name: StaticString) throws -> Deadline? {
            try reader.present(found[position]).map { try Deadline(reader: reader, at: $0, path: reader.node(path, name)) }
        }
        self.init(accept: try clock(0, "accept"), resolve: try clock(1, "resolve"), reply: try clock(2, "reply"))
    }
}

extension Deadline: JSONReadable {
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let found = try reader.members(of: index, path: path, named: ["startedAt", "dueAt", "metAt", "duration"])
        let startedAt = try reader.date(at: reader.required(found[0], "startedAt", path: path), path, "startedAt")
        let dueAt = try reader.date(at: reader.required(found[1], "dueAt", path: path), path, "dueAt")
        let metAt = try reader.present(found[2]).map { try reader.date(at: $0, path, "metAt") }
        let duration = try reader.required(found[3], "duration", path: path)
        self.init(startedAt: startedAt, dueAt: dueAt, metAt: metAt,
                  duration: try SLADuration(reader: reader, at: duration, path: reader.node(path, "duration")))
    }
}

extension SLADuration: JSONReadable {
    /// As the synthesized coding writes a case with a value: `{"minutes": {"_0": 60}}`.
    init(reader: TapeReader, at index: Int, path: CodingPathNode) throws {
        let found = try reader.members(of: index, path: path, named: ["minutes", "workingDays"])
        guard found.compactMap({ $0 }).count == 1 else {
            throw DecodingError.typeMismatch(SLADuration.self, .init(codingPath: path.path,
                                                                     debugDescription: "Invalid number of keys found, expected one."))
        }
        func payload(_ at: Int, _ name: StaticString) throws -> Int {
            let node = reader.node(path, name)
            let value = try reader.required(reader.members(of: at, path: node, named: ["_0"])[0], "_0", path: node)
            return try reader.integer(Int.self, at: value, node, NamedKey("_0"))
        }
        if let minutes = found[0] {
            self = .minutes(try payload(minutes, "minutes"))
        } else {
            self = .workingDays(try payload(found[1]!, "workingDays"))
        }
    }
}

extension CaseDeadlines {
    /// When the resolve clock of stored clocks runs out (nil without one, or when the text is not JSON): the
    /// one time an Open311 request shows of them (`expected_datetime`), read without building the three
    /// clocks, which were a quarter of the CPU of a list of 1,000 requests. The other members are not read,
    /// so clocks stored whole (as this code stores them) give `CaseDeadlines(stored:).resolve?.dueAt`.
    public static func resolveDue(storedJSON json: String) -> Date? {
        reading(json) { reader, root in
            guard let resolve = reader.present(try? reader.members(of: 0, path: root, named: ["resolve"])[0]),
                  let due = reader.present(try? reader.members(of: resolve, path: root, named: ["dueAt"])[0])
            else { return nil }
            return try? reader.date(at: due, root, "dueAt")
        }
    }

    /// The running clock of stored clocks (`running`), reading of each clock only whether it is met and when it is
    /// due, and then the running one whole: a map colours up to 5,000 cases by it, and decoding all three clocks of
    /// each was a quarter of the overview's CPU. For clocks stored whole (as this code stores them) it is
    /// `CaseDeadlines(stored:).running`; nil when the text is not JSON.
    public static func running(storedJSON json: String) -> Deadline? {
        reading(json) { reader, root in
            guard let clocks = try? reader.members(of: 0, path: root, named: ["accept", "resolve", "reply"]) else { return nil }
            // As `running` chooses: the first unmet clock due soonest.
            var first: (at: Int, due: Date)?
            for found in clocks {
                guard let clock = reader.present(found), let times = try? reader.members(of: clock, path: root, named: ["dueAt", "metAt"]),
                      reader.present(times[1]) == nil, let dueAt = reader.present(times[0]),
                      let due = try? reader.date(at: dueAt, root, "dueAt") else { continue }
                if first.map({ due < $0.due }) ?? true { first = (clock, due) }
            }
            return first.flatMap { try? Deadline(reader: reader, at: $0.at, path: root) }
        }
    }

    /// Stored clocks' text as a tape to read parts of; nil when it is not JSON.
    private static func reading<T>(_ json: String, _ read: (TapeReader, CodingPathNode) -> T?) -> T? {
        var json = json
        return json.withUTF8 { utf8 -> T? in
            guard let tape = try? JSONTape(utf8) else { return nil }
            return read(TapeReader(tape: tape), CodingPathNode(nil, nil))
        }
    }
}
