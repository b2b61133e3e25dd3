import Foundation

/// Reading an object's members by name in one pass, for the few types read from the tape directly
/// (`JSONReadable`) because they are read on every request: going through a keyed container costs a
/// search of the object per key, a boxed container and a coding-path node per value.
extension TapeReader {
    /// The value entries of the members of the object at `index` named `names`, in that order (nil
    /// when absent; the last one when a name repeats, as `KeyedTape` reads it). A value that is not an
    /// object is the type mismatch Foundation's keyed container reports.
    func members(of index: Int, path: CodingPathNode, named names: [StaticString]) throws -> [Int?] {
        guard entry(index).kind == .object else { throw mismatch([String: Any].self, at: index, path.parent, path.key) }
        var found = [Int?](repeating: nil, count: names.count)
        var key = index + 1
        for _ in 0..<entry(index).count {
            if let position = names.firstIndex(where: { keyEquals(key, $0) }) { found[position] = key + 1 }
            key = after(key + 1)
        }
        return found
    }

    /// The entry of a member that must be there, or the `keyNotFound` Foundation throws.
    func required(_ found: Int?, _ name: StaticString, path: CodingPathNode) throws -> Int {
        guard let found else {
            throw DecodingError.keyNotFound(NamedKey(name.description),
                                            .init(codingPath: path.path, debugDescription: "No value associated with key \(name)."))
        }
        return found
    }

    /// A member that may be absent or null, as `decodeIfPresent` reads it.
    func present(_ found: Int?) -> Int? {
        guard let found, entry(found).kind != .null else { return nil }
        return found
    }

    /// A date as Foundation's default strategy writes it: seconds since 2001.
    func date(at index: Int, _ parent: CodingPathNode, _ name: StaticString) throws -> Date {
        Date(timeIntervalSinceReferenceDate: try floating(Double.self, at: index, parent, NamedKey(name.description)))
    }

    /// The path node of a member, for the errors of what is read inside it.
    func node(_ parent: CodingPathNode, _ name: StaticString) -> CodingPathNode {
        CodingPathNode(parent, NamedKey(name.description))
    }
}

/// An object's members taken in the order of a type's declaration, as its synthesized decoding meets a missing or
/// broken member: what the types read from the tape directly (`JSONReadable`) walk.
struct TapeMemberCursor {
    let reader: TapeReader
    let path: CodingPathNode
    private let names: [StaticString]
    private let found: [Int?]
    private var member = 0

    init(reader: TapeReader, at index: Int, path: CodingPathNode, names: [StaticString]) throws {
        (self.reader, self.path, self.names) = (reader, path, names)
        found = try reader.members(of: index, path: path, named: names)
    }

    private mutating func next() -> (Int?, StaticString) {
        defer { member += 1 }
        return (found[member], names[member])
    }

    /// The next member, which must be there.
    mutating func required<T>(_ read: (Int, StaticString) throws -> T) throws -> T {
        let (at, name) = next()
        return try read(reader.required(at, name, path: path), name)
    }

    /// The next member, nil when absent or null.
    mutating func optional<T>(_ read: (Int, StaticString) throws -> T) throws -> T? {
        let (at, name) = next()
        return try reader.present(at).map { try read($0, name) }
    }

    // The plain members every reader takes, one way for all of them.
    mutating func requiredText() throws -> String { try required(text) }
    mutating func optionalText() throws -> String? { try optional(text) }
    mutating func requiredFlag() throws -> Bool { try required(flag) }
    mutating func optionalFlag() throws -> Bool? { try optional(flag) }
    mutating func requiredNumber() throws -> Int { try required(number) }
    mutating func optionalNumber() throws -> Int? { try optional(number) }

    private func text(at: Int, _ name: StaticString) throws -> String { try reader.string(at: at, path, NamedKey(name.description)) }
    private func flag(at: Int, _ name: StaticString) throws -> Bool { try reader.bool(at: at, path, NamedKey(name.description)) }
    private func number(at: Int, _ name: StaticString) throws -> Int { try reader.integer(Int.self, at: at, path, NamedKey(name.description)) }
}

extension TapeReader {
    /// A string-backed enum, or the `dataCorrupted` Foundation throws for a string it does not name.
    func rawValue<T: RawRepresentable>(_ type: T.Type, at index: Int, _ parent: CodingPathNode, _ name: StaticString) throws -> T
        where T.RawValue == String {
        let raw = try string(at: index, parent, NamedKey(name.description))
        guard let value = T(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: node(parent, name).path,
                                                    debugDescription: "Cannot initialize \(T.self) from invalid String value \(raw)"))
        }
        return value
    }

    /// An array of strings, as `[String]` decodes.
    func strings(at index: Int, _ path: CodingPathNode) throws -> [String] {
        guard entry(index).kind == .array else { throw mismatch([Any].self, at: index, path.parent, path.key) }
        var out: [String] = []
        out.reserveCapacity(entry(index).count)
        var element = index + 1
        for position in 0..<entry(index).count {
            out.append(try string(at: element, path, IndexKey(position)))
            element = after(element)
        }
        return out
    }
}
